/** @module Test helpers for auth stages: a context factory and an echoing `next`. */
import type { Handler, RequestContext, RequestInfo, Stage } from "../../src/http/pipeline.ts";
import { requestContext } from "../../src/http/pipeline.ts";

export const BASE = "https://mcp.example.com";

export function contextFor(request: Request, info: RequestInfo = {}): RequestContext {
  return requestContext(request, info, "test");
}

/** The innermost handler: 200 with what the stages put into the context. */
export const echo: Handler = (_request, ctx) =>
  Promise.resolve(
    Response.json({ auth: ctx.auth, providerToken: ctx.providerToken ?? null, resolvedHeaders: ctx.resolvedHeaders }),
  );

export function req(path: string, headers: Record<string, string> | [string, string][] = {}, method = "POST"): Request {
  return new Request(BASE + path, { method, headers });
}

export async function run(stage: Stage, request: Request, info: RequestInfo = {}) {
  const ctx = contextFor(request, info);
  const response = await stage(echo)(request, ctx);
  const text = await response.text();
  // deno-lint-ignore no-explicit-any
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { response, status: response.status, body, text, ctx, challenge: response.headers.get("www-authenticate") };
}
