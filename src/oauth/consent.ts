/**
 * @module The consent page and its browser binding: per-client consent before anything goes upstream (the confused-deputy defence for a proxy with one static upstream client), a CSRF token, no framing, and a `__Host-` cookie that ties the approval and the upstream callback to the browser that saw the page.
 */
import { sha256Hex } from "../crypto/hash.ts";
import { escapeHtml, htmlPage } from "./responses.ts";
import type { Client } from "./clients.ts";
import { isLoopbackHost } from "./redirect-uri.ts";

/**
 * The browser-binding cookie. `__Host-` (RFC 6265bis §4.1.3.2): Secure, Path=/, no Domain, so no
 * sibling subdomain can set or read it; HttpOnly; SameSite=Lax, so it rides the top-level
 * redirect back from the provider but not cross-site sub-requests.
 */
export const BROWSER_COOKIE = "__Host-gatehouse-consent";

export function browserCookie(value: string, maxAgeSeconds: number): string {
  return `${BROWSER_COOKIE}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}`;
}

/** The browser secret from the request's cookies, when it has the shape we issue. */
export function readBrowserSecret(request: Request): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== BROWSER_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/** What the server stores instead of the cookie: a hash of the browser secret bound to the client_id (MCP: consent cookies bound to the client). */
export async function browserBinding(secret: string, clientId: string): Promise<string> {
  return await sha256Hex(`gatehouse consent\n${clientId}\n${secret}`);
}

export interface ConsentView {
  client: Client;
  redirectUri: string;
  /** The upstream provider (absent in own-login mode). */
  providerName?: string;
  upstreamScopes?: readonly string[];
  /** Own-login mode: who the app says is signed in. */
  signedInAs?: string;
  scopes: readonly string[];
  serverName: string;
  consentId: string;
  csrf: string;
}

/**
 * The consent page (MCP security best practices, "Consent UI requirements"): the client's name
 * (flagged as unverified unless it comes from a metadata document at the client's own URL), the
 * redirect URI's host prominently and the full URI, the upstream provider and its scopes, a CSRF
 * token, and approve/deny buttons. No scripts; the form posts back to `/authorize`.
 */
export function consentPage(view: ConsentView, setCookie: string): Response {
  const redirect = new URL(view.redirectUri);
  const host = redirect.protocol === "http:" || redirect.protocol === "https:" ? redirect.host : `${redirect.protocol}//${redirect.host}`;
  const local = (redirect.protocol === "http:" || redirect.protocol === "https:") && isLoopbackHost(redirect.hostname);
  const origin = view.client.kind === "metadata-document"
    ? `<p>Client identity published at <code>${escapeHtml(new URL(view.client.clientId).host)}</code>.</p>`
    : view.client.kind === "registered"
    ? `<p><small>This name was supplied by the application itself and has not been verified.</small></p>`
    : "";
  const list = (items: readonly string[]) =>
    items.length ? `<ul>${items.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join("")}</ul>` : "<p><small>(none)</small></p>";
  const body = `<h1>Allow ${escapeHtml(view.client.name)} to use ${escapeHtml(view.serverName)}?</h1>
<div class="box">
<p><strong>${escapeHtml(view.client.name)}</strong> is asking to act on your behalf.</p>
${origin}
<p>${view.providerName !== undefined ? "After you sign in, you" : "If you allow it, you"} will be sent to:</p>
<p class="host">${escapeHtml(host)}</p>
<p><small><code>${escapeHtml(view.redirectUri)}</code></small></p>
${
    local
      ? `<p class="box warn">This address is on your own computer. Continue only if you just started this from an application you trust.</p>`
      : ""
  }
</div>
<div class="box">
${
    view.providerName !== undefined
      ? `<p>You will sign in with <strong>${escapeHtml(view.providerName)}</strong>, which will grant this server:</p>
${list(view.upstreamScopes ?? [])}`
      : `<p>You are signed in as <strong>${escapeHtml(view.signedInAs ?? "")}</strong>.</p>`
  }
${view.scopes.length ? `<p>The application will receive access to:</p>${list(view.scopes)}` : ""}
</div>
<form method="post" action="/authorize">
<input type="hidden" name="consent_id" value="${escapeHtml(view.consentId)}">
<input type="hidden" name="csrf_token" value="${escapeHtml(view.csrf)}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
<p><small>If you did not start this, choose Deny.</small></p>`;
  return htmlPage(200, `Authorize ${view.client.name}`, body, { "set-cookie": setCookie });
}
