/** @module OAuth responses: RFC 6749 §5.2 JSON errors (never cached), HTML pages with anti-framing headers, and redirects carrying RFC 9207 `iss`. */

/** RFC 6749 §5.1/§5.2: token responses and their errors are never cached. */
export const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

/**
 * Headers of every HTML page we render (consent, errors): no framing (clickjacking, MCP security
 * best practices: `frame-ancestors 'none'` and `X-Frame-Options: DENY`), no scripts, no referrer
 * (the page URL carries the authorization request), no caching.
 */
export const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  // Not "no-referrer": with it browsers send the page's own form POST with `Origin: null`, and the
  // origin check refuses the user's consent. Other sites still get no referrer.
  "referrer-policy": "same-origin",
  "x-content-type-options": "nosniff",
  ...NO_STORE,
} as const;

/** CORS for the endpoints browser-based clients call directly (metadata, token, register, revoke): no credentials, any origin. */
export const OPEN_CORS = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "www-authenticate",
} as const;

/** A JSON body with `no-store`. */
export function oauthJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...NO_STORE, ...OPEN_CORS, ...headers },
  });
}

/** RFC 6749 §5.2 error: `{ error, error_description }`, 400 unless said otherwise (401 for `invalid_client`). */
export function oauthError(error: string, description: string, status = 400, headers: Record<string, string> = {}): Response {
  return oauthJson({ error, error_description: description }, status, headers);
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A complete HTML page with the anti-framing headers. `body` must already be escaped. */
export function htmlPage(status: number, title: string, body: string, headers: Record<string, string> = {}): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}.box{border:1px solid #ccc;border-radius:8px;padding:1rem;margin:1rem 0}
.host{font-weight:700;font-size:1.1rem}.warn{background:#fff4e5;border-color:#f0a030}
code{word-break:break-all}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}
</style></head><body>
${body}
</body></html>`;
  return new Response(html, { status, headers: { ...PAGE_HEADERS, ...headers } });
}

/** The error page for requests that must not be redirected (unknown client, unregistered redirect URI: OAuth 2.1 §4.1.2.1). */
export function errorPage(status: number, error: string, description: string): Response {
  return htmlPage(
    status,
    "Authorization error",
    `<h1>Authorization error</h1><p>${escapeHtml(description)}</p><p><small>Error code: <code>${escapeHtml(error)}</code></small></p>`,
  );
}

/**
 * Redirects to the client's redirect URI with `params`, always adding `iss` (RFC 9207 §2: in
 * success and error responses alike, so a client talking to several servers can tell which one
 * answered — the mix-up defence).
 */
export function redirectToClient(redirectUri: string, params: Record<string, string | undefined>, issuer: string): Response {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  url.searchParams.set("iss", issuer);
  return new Response(null, { status: 302, headers: { location: url.href, ...NO_STORE, "referrer-policy": "no-referrer" } });
}
