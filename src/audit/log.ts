/**
 * @module The audit log: one structured JSON line per auth failure, refusal, rate-limit hit and (sampled) success, with fingerprints and never a secret.
 */
import type { RequestContext, Stage } from "../http/pipeline.ts";
import { sha256Hex } from "../crypto/hash.ts";

export type AuditEventName = "auth.failure" | "auth.success" | "access.denied" | "ratelimit.hit";

/**
 * One audit record. `event` is `auth.failure` (401, or 400 for a malformed credential),
 * `access.denied` (403), `ratelimit.hit` (429) or `auth.success` (sampled). `credential` is the
 * accepted credential's fingerprint, or for a refused one a short SHA-256 prefix of what was sent
 * (`sha256:…`), never the secret; `reason` is the `error_description` the client was given;
 * `clientAddress` is `info.remoteAddress` when the host passed it; `tool` is set for `tools/call`
 * over HTTP.
 *
 * @example
 * ```ts
 * import type { AuditEvent } from "gatehouse";
 *
 * const alertOn = (event: AuditEvent) => event.event === "auth.failure" && event.status === 401;
 * ```
 */
export interface AuditEvent {
  time: string;
  event: AuditEventName;
  status: number;
  /** The refusal's reason, as told to the client (`error_description`). */
  reason?: string;
  requestId: string;
  clientAddress?: string;
  /** Accepted credentials: the strategy's fingerprint; refused ones: a SHA-256 prefix of what was sent. */
  credential?: string;
  subject?: string;
  strategy?: string;
  method: string;
  path: string;
  tool?: string;
}

/**
 * Where audit events go: called synchronously, once per event. A sink must not throw and should
 * not block (buffer, then ship elsewhere): a throw from a refusal's record is swallowed, but a throw
 * from a sampled success fails that request with a 500.
 *
 * @example
 * ```ts
 * import type { AuditEvent, AuditSink } from "gatehouse";
 *
 * const buffer: AuditEvent[] = [];
 * const sink: AuditSink = (event) => {
 *   buffer.push(event);
 *   if (buffer.length > 100) buffer.splice(0, buffer.length); // ship them somewhere first
 * };
 * ```
 */
export type AuditSink = (event: AuditEvent) => void;

/**
 * An {@link AuditSink} writing each event as one line of JSON through `write` (default
 * `console.log`, i.e. standard output, which is what `AUDIT_LOG=stdout` uses).
 *
 * @example
 * ```ts
 * import { createServer, jsonLinesSink } from "gatehouse";
 *
 * createServer({
 *   name: "audited",
 *   version: "1.0.0",
 *   audit: { sink: jsonLinesSink((line) => console.error(line)), successSampleRate: 0.01 },
 * });
 * ```
 */
export function jsonLinesSink(write: (line: string) => void = (line) => console.log(line)): AuditSink {
  return (event) => write(JSON.stringify(event));
}

/**
 * `createServer({ audit })`: the structured audit log, one event per auth failure, access refusal
 * (403) and rate-limit hit, plus a sampled share (`successSampleRate`, 0..1, default 0) of successful
 * authenticated requests. `credentialHeader` is set by `createServer` from an `apiKey` strategy so
 * refused keys get a fingerprint too. Nothing is logged unless this option is given.
 *
 * @example
 * ```ts
 * import { type AuditOptions, createServer, jsonLinesSink } from "gatehouse";
 *
 * const audit: AuditOptions = { sink: jsonLinesSink(), successSampleRate: 0.05 };
 * createServer({ name: "audited", version: "1.0.0", audit });
 * ```
 */
export interface AuditOptions {
  sink: AuditSink;
  /** Fraction of successful authenticated requests to log, 0..1 (default 0). */
  successSampleRate?: number;
  /** Header carrying the credential besides `Authorization` (the api_key header), for fingerprints of refused ones. */
  credentialHeader?: string;
}

/** Placed right inside the guard so it sees every answer the auth gate, limiters and tool checks give. */
export function auditStage(options: AuditOptions): Stage {
  const rate = Math.min(1, Math.max(0, options.successSampleRate ?? 0));
  const extraHeader = options.credentialHeader?.toLowerCase();
  return (next) => (request, ctx) =>
    next(request, ctx).then((response) => {
      const status = response.status;
      const refused = status === 401 || status === 403 || status === 429 || (status === 400 && response.headers.has("www-authenticate"));
      if (!refused) {
        if (rate > 0 && ctx.auth && status < 400 && Math.random() < rate) {
          try {
            options.sink(event(request, ctx, "auth.success", status));
          } catch { /* an audit sink never breaks a response */ }
        }
        return response;
      }
      return record(request, ctx, response);
    });

  async function record(request: Request, ctx: RequestContext, response: Response): Promise<Response> {
    const status = response.status;
    const e = event(request, ctx, status === 429 ? "ratelimit.hit" : status === 403 ? "access.denied" : "auth.failure", status);
    e.reason = await reasonOf(response);
    if (!ctx.auth) e.credential = await presentedFingerprint(request, extraHeader);
    try {
      options.sink(e);
    } catch { /* an audit sink never breaks a response */ }
    return response;
  }
}

function event(request: Request, ctx: RequestContext, name: AuditEventName, status: number): AuditEvent {
  return {
    time: new Date().toISOString(),
    event: name,
    status,
    requestId: ctx.requestId,
    ...(ctx.info.remoteAddress && { clientAddress: ctx.info.remoteAddress }),
    ...(ctx.auth?.credentialId && { credential: ctx.auth.credentialId }),
    ...(ctx.auth?.subject && { subject: ctx.auth.subject }),
    ...(ctx.auth && { strategy: ctx.auth.strategy }),
    method: request.method,
    path: ctx.pathname,
    ...(ctx.tool && { tool: ctx.tool }),
  };
}

async function reasonOf(response: Response): Promise<string | undefined> {
  try {
    const body = await response.clone().json() as { error_description?: unknown; error?: unknown };
    const text = body.error_description ?? body.error;
    return typeof text === "string" ? text.slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}

/** A short hash of a refused credential: lets an operator correlate attempts without logging the secret. */
async function presentedFingerprint(request: Request, extraHeader?: string): Promise<string | undefined> {
  const value = request.headers.get("authorization") ?? (extraHeader ? request.headers.get(extraHeader) : null);
  if (!value) return undefined;
  return `sha256:${(await sha256Hex(value)).slice(0, 16)}`;
}
