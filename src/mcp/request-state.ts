/**
 * @module Signed `requestState` for Multi Round-Trip Requests: the client carries our state between rounds, and we must notice if it changes it (SEP-2322).
 */
import { base64UrlDecode, base64UrlEncode } from "../crypto/base64url.ts";
import { ErrorCode, McpError } from "./jsonrpc.ts";

const enc = new TextEncoder();

export interface RequestStatePayload {
  /** What the state is bound to: method and target (tool/prompt name or resource uri). */
  bind: string;
  /** Answers collected in earlier rounds, by input key. */
  answers: Record<string, unknown>;
  /** Round number, so every round's state differs. */
  round: number;
  /** Expiry (ms since epoch). */
  exp: number;
}

/** HMAC-SHA256 over the payload. SubtleCrypto is fine here: only MRTR rounds pay for it, not every request. */
export function createRequestStateCodec(secret: string | Uint8Array, ttlMs = 15 * 60_000) {
  const keyPromise = crypto.subtle.importKey(
    "raw",
    typeof secret === "string" ? enc.encode(secret) : secret as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );

  return {
    async seal(payload: Omit<RequestStatePayload, "exp">): Promise<string> {
      const body = base64UrlEncode(enc.encode(JSON.stringify({ ...payload, exp: Date.now() + ttlMs })));
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await keyPromise, enc.encode(body)));
      return `${body}.${base64UrlEncode(mac)}`;
    },
    /** Verifies and decodes; a tampered, foreign, expired or mis-bound state is a -32602 error. */
    async open(state: unknown, bind: string): Promise<RequestStatePayload> {
      const reject = (why: string) => new McpError(ErrorCode.InvalidParams, `Invalid requestState: ${why}`);
      if (typeof state !== "string" || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(state)) throw reject("malformed");
      const [body, mac] = state.split(".");
      const signature = base64UrlDecode(mac);
      const ok = signature !== undefined && await crypto.subtle.verify("HMAC", await keyPromise, signature, enc.encode(body));
      if (!ok) throw reject("signature does not match (tampered or issued by another server)");
      let payload: RequestStatePayload;
      try {
        payload = JSON.parse(new TextDecoder().decode(base64UrlDecode(body)));
      } catch {
        throw reject("malformed");
      }
      if (payload.bind !== bind) throw reject("issued for a different request");
      if (!(payload.exp > Date.now())) throw reject("expired");
      return payload;
    },
  };
}

export type RequestStateCodec = ReturnType<typeof createRequestStateCodec>;
