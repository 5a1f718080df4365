/**
 * @module `oauthProvider()`: Gatehouse as the OAuth 2.1 authorization server for an app that logs its users in itself. Same endpoints, storage and guarantees as `oauth()` (DCR and metadata documents, per-client consent, PKCE S256, single-use codes, refresh rotation with reuse detection, revocation, audience binding); the app's `authorize` takes the place of the upstream provider, so there is no provider callback, no provider token and no upstream request.
 *
 * The app answers `authorize(request, ctx)` on `GET /authorize`, after Gatehouse has validated the
 * client, redirect URI, PKCE, scopes and resource, and before the consent page:
 * - a `Response`: sent as is, typically a redirect to the app's login page carrying `ctx.returnTo`;
 *   once logged in (the app sets its own session cookie), the app sends the browser back to
 *   `ctx.returnTo` and `authorize` is asked again;
 * - `{ subject, claims?, scopes? }`: the signed-in user; `scopes` narrows what this user may grant;
 * - `false` (or `null`/`undefined`): refused; the client gets `error=access_denied`.
 * It is asked once more when the user approves (`ctx.phase === "consent"`): the approval counts only
 * if the same subject is still signed in, so a logout or a switch of account in between does not
 * approve anything in the wrong name.
 */
import { findClient, markClientUsed } from "./clients.ts";
import { createGrant, issueCode } from "./grants.ts";
import { errorPage, redirectToClient } from "./responses.ts";
import type { OAuthSettings } from "./settings.ts";
import { createOAuthStrategy, type OAuthCommonOptions, type OAuthStrategy } from "./strategy.ts";
import type { PendingAuthorization } from "./authorize.ts";

/**
 * A user the app has signed in, as `authorize` returns it: `subject` becomes `context.auth.subject`,
 * `claims` `context.auth.claims`, and `scopes` narrows what this user may grant.
 *
 * @example
 * ```ts
 * import type { LoggedIn } from "gatehouse";
 *
 * const ada: LoggedIn = { subject: "user-42", claims: { email: "ada@example.com" }, scopes: ["notes:read"] };
 * ```
 */
export interface LoggedIn {
  /** The stable user id (`context.auth.subject`): 1–256 characters, no control characters. */
  subject: string;
  /** Claims for tools (`context.auth.claims`): a plain JSON object, at most 8 KiB serialised. */
  claims?: Record<string, unknown>;
  /** The scopes this user may grant; the request's scopes are narrowed to these. Absent: all offered. */
  scopes?: readonly string[];
}

/**
 * What `authorize` may answer: a `Response` (sent as is, e.g. a redirect to the login page), a
 * {@link LoggedIn} user, or `false`/`null`/`undefined` to refuse (`error=access_denied`).
 *
 * @example
 * ```ts
 * import type { LoginOutcome } from "gatehouse";
 *
 * const refuse: LoginOutcome = false;
 * const login: LoginOutcome = Response.redirect("https://app.example.com/login", 303);
 * ```
 */
export type LoginOutcome = Response | LoggedIn | false | null | undefined;

/**
 * What Gatehouse tells `authorize` about the request, all validated already: the phase
 * (`"authorize"` or `"consent"`), where to send the user back after logging in (`returnTo`, built from
 * the issuer, never from `Host`), and the client and scopes asked for.
 *
 * @example
 * ```ts
 * import type { LoginContext, LoginOutcome } from "gatehouse";
 *
 * function authorize(_request: Request, ctx: LoginContext): LoginOutcome {
 *   return ctx.phase === "authorize" ? Response.redirect(`https://app.example.com/login?next=${encodeURIComponent(ctx.returnTo)}`, 303) : false;
 * }
 * ```
 */
export interface LoginContext {
  /** `"authorize"` on GET /authorize; `"consent"` when the user approves (the body is Gatehouse's consent form, already read). */
  phase: "authorize" | "consent";
  /** The absolute URL of this authorization request at our issuer (never built from `Host`): send the user back here after logging in. */
  returnTo: string;
  clientId: string;
  /** The client's name; for registered clients its own, unverified claim. */
  clientName: string;
  /** The scopes the client asked for (or all offered, when it asked for none). */
  scopes: readonly string[];
}

export interface OwnLogin {
  authorize(request: Request, ctx: LoginContext): LoginOutcome | Promise<LoginOutcome>;
}

/**
 * Options of {@link oauthProvider}: the {@link OAuthCommonOptions} plus `authorize(request, ctx)`,
 * which answers with a `Response` (send the user to log in), a {@link LoggedIn} user, or `false`.
 *
 * @example
 * ```ts
 * import { memoryStore, type OAuthProviderOptions } from "gatehouse";
 *
 * const options: OAuthProviderOptions = {
 *   issuer: "https://app.example.com",
 *   store: memoryStore(),
 *   authorize: () => ({ subject: "user-1" }),
 * };
 * ```
 */
export interface OAuthProviderOptions extends OAuthCommonOptions, OwnLogin {
  /** Never set: own-login mode has no upstream provider (use `oauth()` for that). */
  provider?: never;
}

/**
 * Gatehouse as the OAuth 2.1 authorization server for an app that logs its users in itself: the
 * same endpoints, storage and guarantees as {@link oauth}, with the app's `authorize(request, ctx)`
 * in place of an upstream provider (see this module's comment for what it may answer). Tools see
 * `context.auth` (subject, claims, scopes, clientId) and no `providerToken`. Throws `TypeError`
 * without `authorize`, or with a `provider` (use `oauth()` for that).
 *
 * @example
 * ```ts
 * import { createServer, memoryStore, oauthProvider } from "gatehouse";
 *
 * const store = memoryStore();
 * const sessions = new Map<string, { id: string; email: string }>(); // the app's own sessions
 * export default createServer({
 *   name: "notes",
 *   version: "1.0.0",
 *   store,
 *   publicUrl: "https://app.example.com",
 *   auth: oauthProvider({
 *     issuer: "https://app.example.com",
 *     store,
 *     scopes: ["notes:read"],
 *     authorize(request, { returnTo }) {
 *       const sid = /(?:^|; )sid=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
 *       const user = sid ? sessions.get(sid) : undefined;
 *       if (!user) return Response.redirect(`https://app.example.com/login?return_to=${encodeURIComponent(returnTo)}`, 303);
 *       return { subject: user.id, claims: { email: user.email } };
 *     },
 *   }),
 * });
 * ```
 */
export function oauthProvider(options: OAuthProviderOptions): OAuthStrategy {
  if (typeof options?.authorize !== "function") throw new TypeError("oauthProvider: authorize(request, ctx) is required");
  if ((options as { provider?: unknown }).provider !== undefined) {
    throw new TypeError("oauthProvider: there is no upstream provider in own-login mode; use oauth({ provider }) to log users in at one");
  }
  const none = () => Promise.reject(new Error("oauthProvider: own-login mode makes no upstream requests"));
  return createOAuthStrategy(options, {
    scopes: options.scopes ?? [],
    provider: none,
    fetch: none,
    ownLogin: { authorize: options.authorize.bind(options) },
  });
}

/** The app's answer, checked. */
export type AppAnswer =
  | { kind: "response"; response: Response }
  | { kind: "user"; subject: string; claims: Record<string, unknown>; scopes?: readonly string[] }
  | { kind: "refused" }
  | { kind: "error" };

const MAX_CLAIMS_BYTES = 8 * 1024;

/** Asks the app who is signed in. A throw or a malformed answer is `error` (the client gets `server_error`, never a 500 or a stack). */
export async function askApp(login: OwnLogin, request: Request, ctx: LoginContext): Promise<AppAnswer> {
  let outcome: LoginOutcome;
  try {
    outcome = await login.authorize(request, ctx);
  } catch {
    return { kind: "error" };
  }
  if (outcome instanceof Response) return { kind: "response", response: outcome };
  if (outcome === false || outcome === null || outcome === undefined) return { kind: "refused" };
  if (typeof outcome !== "object") return { kind: "error" };
  const { subject, claims, scopes } = outcome;
  // deno-lint-ignore no-control-regex
  if (typeof subject !== "string" || subject.length === 0 || subject.length > 256 || /[\u0000-\u001f\u007f]/.test(subject)) {
    return { kind: "error" };
  }
  if (scopes !== undefined && (!Array.isArray(scopes) || scopes.some((x) => typeof x !== "string"))) return { kind: "error" };
  let kept: Record<string, unknown> = {};
  if (claims !== undefined) {
    if (claims === null || typeof claims !== "object" || Array.isArray(claims)) return { kind: "error" };
    let text: string;
    try {
      text = JSON.stringify(claims);
    } catch {
      return { kind: "error" };
    }
    if (new TextEncoder().encode(text).byteLength > MAX_CLAIMS_BYTES) return { kind: "error" };
    kept = JSON.parse(text); // a stored copy: plain JSON, nothing the app can mutate later
  }
  return { kind: "user", subject, claims: kept, scopes };
}

/** A name for "signed in as …" on the consent page. */
export function displayName(user: { subject: string; claims: Record<string, unknown> }): string {
  for (const k of ["email", "preferred_username", "name"]) {
    const v = user.claims[k];
    if (typeof v === "string" && v !== "") return v;
  }
  return user.subject;
}

/**
 * The user approved: the same subject must still be signed in (asked again, phase `consent`);
 * then the grant (no provider tokens) and our code, exactly as after an upstream callback.
 */
export async function completeOwnLogin(
  s: OAuthSettings,
  login: OwnLogin,
  request: Request,
  pending: PendingAuthorization,
): Promise<Response> {
  const user = pending.user;
  if (!user || !pending.returnTo) {
    return errorPage(400, "invalid_request", "This consent request is incomplete; start again from your application");
  }
  const found = await findClient(s, pending.clientId);
  if (!found.ok) return errorPage(400, "invalid_client", "The application is no longer registered");
  const again = await askApp(login, request, {
    phase: "consent",
    returnTo: pending.returnTo,
    clientId: pending.clientId,
    clientName: found.client.name,
    scopes: pending.scopes,
  });
  if (again.kind !== "user" || again.subject !== user.subject) {
    if (again.kind === "response") await again.response.body?.cancel();
    return errorPage(
      403,
      "access_denied",
      "You are no longer signed in as the user who saw the consent page; start again from your application",
    );
  }
  const { grant, secret } = await createGrant(s, {
    clientId: pending.clientId,
    subject: user.subject,
    claims: user.claims,
    scopes: pending.scopes,
    resource: pending.resource,
  });
  const code = await issueCode(s, grant, secret, { redirectUri: pending.redirectUri, codeChallenge: pending.codeChallenge });
  await markClientUsed(s, found.client);
  return redirectToClient(pending.redirectUri, { code, state: pending.state }, s.issuer);
}
