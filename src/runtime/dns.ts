/** @module Resolves a host name to all its addresses (for the SSRF check on Client ID Metadata Document URLs), through node:dns, which Deno and Bun both implement. */
import { lookup } from "node:dns/promises";

export async function resolveAll(hostname: string): Promise<string[]> {
  const records = await lookup(hostname, { all: true, verbatim: true });
  return records.map((r) => r.address);
}
