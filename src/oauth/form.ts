/** @module Reading `application/x-www-form-urlencoded` bodies with a size cap, refusing repeated parameters (RFC 6749 §3.1, §3.2). */
import { readBody } from "../http/body.ts";

/** Token, revocation and consent requests are small; anything larger is not one of them. */
export const FORM_LIMIT = 16 * 1024;

export type FormResult = { ok: true; params: URLSearchParams } | { ok: false; description: string; status: 400 | 413 | 415 };

/** Parses a POSTed form. Anything but `application/x-www-form-urlencoded` is refused (RFC 6749 §4.1.3, RFC 7009 §2.1). */
export async function readForm(request: Request, limit = FORM_LIMIT): Promise<FormResult> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    return { ok: false, status: 415, description: "Expected Content-Type: application/x-www-form-urlencoded" };
  }
  const body = await readBody(request, limit);
  if (!body.ok) return { ok: false, status: body.status, description: body.message };
  return { ok: true, params: new URLSearchParams(body.text) };
}

/**
 * The names that occur more than once. RFC 6749 §3.1/§3.2: "Request and response parameters MUST
 * NOT be included more than once" — a repeated `redirect_uri` or `code_verifier` could otherwise be
 * read differently by different layers.
 */
export function repeatedParameter(params: URLSearchParams): string | undefined {
  const seen = new Set<string>();
  for (const [name] of params) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

/** A parameter's value, with the empty string treated as absent (RFC 6749 §3.1). */
export function param(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value === "" ? undefined : value;
}
