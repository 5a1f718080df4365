/** @module Per-tool authorization: which required scopes a caller lacks (with a configurable hierarchy), and the `requireAuth` middleware descriptor. */
import type { Identity } from "./identity.ts";

/** Does the granted scope satisfy the required one? */
export type ScopeHierarchy = (granted: string, required: string) => boolean;

export interface ScopeHierarchyOptions {
  /**
   * Colon-segment prefixes imply their extensions: `files` implies `files:read` and
   * `files:read:meta`, and `files:*` implies `files:read`. Default `true`. It never works upward
   * or sideways: `files:read` does not imply `files` or `files:write`.
   */
  prefix?: boolean;
  /**
   * Explicit extra implications, applied transitively: `{ "files:write": ["files:read"] }` makes
   * write imply read. Nothing like that is assumed unless configured here.
   */
  implies?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Builds the rule deciding whether a granted scope satisfies a required one, for
 * `createServer({ scopeHierarchy })`. Always: an exact match. With `prefix` (default true): a scope
 * implies its `:`-extensions (`files` and `files:*` imply `files:read` and `files:read:meta`), never
 * upward or sideways (`files:read` implies neither `files` nor `files:write`). `implies` adds explicit
 * implications, applied transitively. MCP authorization asks servers to account for scope
 * hierarchies (a broader scope implies narrower ones), but whether `write` implies `read` is your
 * API's decision, so nothing like that is assumed.
 *
 * @example
 * ```ts
 * import { createServer, scopeHierarchy } from "gatehouse";
 *
 * const hierarchy = scopeHierarchy({ implies: { "files:write": ["files:read"], admin: ["files:write"] } });
 * console.log(hierarchy("admin", "files:read")); // true
 *
 * createServer({ name: "files", version: "1.0.0", scopeHierarchy: hierarchy });
 * ```
 */
export function scopeHierarchy(options: ScopeHierarchyOptions = {}): ScopeHierarchy {
  const prefix = options.prefix ?? true;
  const closure = impliedClosure(options.implies ?? {});
  const direct = (granted: string, required: string): boolean => granted === required || (prefix && impliesByPrefix(granted, required));
  return (granted, required) => {
    if (direct(granted, required)) return true;
    const implied = closure.get(granted);
    if (!implied) return false;
    for (const scope of implied) if (direct(scope, required)) return true;
    return false;
  };
}

/** The default: exact match, plus `x` / `x:*` implying `x:…`. */
export const defaultScopeHierarchy: ScopeHierarchy = scopeHierarchy();

/**
 * The required scopes the caller does not hold, in the order they were required, without
 * duplicates. An empty result means the call is allowed.
 */
export function missingScopes(
  granted: readonly string[],
  required: readonly string[],
  hierarchy: ScopeHierarchy = defaultScopeHierarchy,
): string[] {
  const missing: string[] = [];
  for (const need of required) {
    if (missing.includes(need)) continue;
    if (!granted.some((have) => hierarchy(have, need))) missing.push(need);
  }
  return missing;
}

function impliesByPrefix(granted: string, required: string): boolean {
  const base = granted.endsWith(":*") ? granted.slice(0, -1) : `${granted}:`;
  return base.length > 1 && required.length > base.length && required.startsWith(base);
}

function impliedClosure(implies: Readonly<Record<string, readonly string[]>>): Map<string, Set<string>> {
  const closure = new Map<string, Set<string>>();
  for (const start of Object.keys(implies)) {
    const seen = new Set<string>();
    const queue = [...implies[start]];
    while (queue.length) {
      const scope = queue.shift()!;
      if (seen.has(scope)) continue;
      seen.add(scope);
      queue.push(...(Object.hasOwn(implies, scope) ? implies[scope] : []));
    }
    closure.set(start, seen);
  }
  return closure;
}

/** What a `requireAuth` check sees: the caller (never `null` here) and the tool being called. */
export interface RequireAuthInput {
  auth: Identity;
  tool?: string;
}

/**
 * Per-tool middleware descriptor (the dispatcher runs it before the handler). An unauthenticated
 * caller is refused with 401; an authenticated one that fails `check` gets 403 with `message`.
 */
export interface RequireAuth {
  readonly kind: "requireAuth";
  readonly check: (input: RequireAuthInput) => boolean | Promise<boolean>;
  readonly message: string;
}

/**
 * A per-tool middleware (`defineTool({ middlewares })`) that admits only authenticated callers for
 * whom `check({ auth, tool })` is true. Decided before the handler runs: an anonymous caller (no
 * identity, or `none`'s) gets 401; one for whom `check` returns false, or throws, gets 403 with
 * `message` (default `"Forbidden"`). Without `check`, any authenticated caller passes.
 *
 * @example
 * ```ts
 * import { defineTool, requireAuth } from "gatehouse";
 *
 * const adminsOnly = requireAuth({ check: ({ auth }) => auth.claims?.role === "admin", message: "Admins only" });
 *
 * const rotateKeys = defineTool({ name: "rotate_keys", middlewares: [adminsOnly], handler: () => "rotated" });
 * ```
 */
export function requireAuth(options: {
  check?: (input: RequireAuthInput) => boolean | Promise<boolean>;
  message?: string;
} = {}): RequireAuth {
  return {
    kind: "requireAuth",
    check: options.check ?? (() => true),
    message: options.message ?? "Forbidden",
  };
}

/** The verdict of a `requireAuth` descriptor, for the dispatcher to turn into 401/403. */
export type RequireAuthVerdict =
  | { ok: true }
  | { ok: false; status: 401; message: string }
  | { ok: false; status: 403; message: string };

/**
 * Evaluates a descriptor. A `none` identity counts as unauthenticated. A check that throws
 * refuses (403) rather than letting the call through.
 */
export async function evaluateRequireAuth(
  rule: RequireAuth,
  auth: Identity | null,
  tool?: string,
): Promise<RequireAuthVerdict> {
  if (!auth || auth.strategy === "none") return { ok: false, status: 401, message: "Authentication required" };
  try {
    if (await rule.check({ auth, tool })) return { ok: true };
  } catch {
    // fall through: a failing predicate never grants access
  }
  return { ok: false, status: 403, message: rule.message };
}
