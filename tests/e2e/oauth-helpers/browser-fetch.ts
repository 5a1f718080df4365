/**
 * @module The browser leg of the login, played with plain `fetch` and a small cookie jar: GET the consent page, read its hidden fields, POST the decision as a same-origin form, follow the redirect to the IdP (which approves at once), deliver its redirect back to `/oauth/provider-callback` with the cookie, and return the final redirect to the client's redirect_uri.
 */
import assert from "node:assert/strict";

/** A minimal cookie jar: name → value per origin, from Set-Cookie; sends them back to the same origin only. */
export class CookieJar {
  readonly #byOrigin = new Map<string, Map<string, string>>();
  /** Every raw Set-Cookie header seen, for assertions on its attributes. */
  readonly setCookies: string[] = [];

  store(url: string | URL, response: Response) {
    const origin = new URL(url).origin;
    const headers = response.headers as Headers & { getSetCookie?: () => string[] };
    const all = headers.getSetCookie?.() ?? (response.headers.get("set-cookie") ? [response.headers.get("set-cookie")!] : []);
    for (const line of all) {
      this.setCookies.push(line);
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const jar = this.#byOrigin.get(origin) ?? new Map<string, string>();
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      this.#byOrigin.set(origin, jar);
    }
  }

  header(url: string | URL): string | undefined {
    const jar = this.#byOrigin.get(new URL(url).origin);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

export interface ConsentForm {
  html: string;
  response: Response;
  consentId: string;
  csrf: string;
}

const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];

/** GET /authorize as a browser navigation; asserts a 200 consent page and returns its form fields. */
export async function openConsent(authorizeUrl: string | URL, jar: CookieJar): Promise<ConsentForm> {
  const cookie = jar.header(authorizeUrl);
  const response = await fetch(authorizeUrl, {
    redirect: "manual",
    headers: { "sec-fetch-site": "none", "sec-fetch-mode": "navigate", ...(cookie ? { cookie } : {}) },
    signal: AbortSignal.timeout(10_000),
  });
  jar.store(authorizeUrl, response);
  const html = await response.text();
  assert.equal(response.status, 200, `consent page: ${response.status} ${html.slice(0, 400)}`);
  const consentId = field(html, "consent_id");
  const csrf = field(html, "csrf_token");
  assert.ok(consentId && csrf, "the consent page has consent_id and csrf_token fields");
  return { html, response, consentId, csrf };
}

/** POST the consent decision from the page's own origin, as the form submission would. */
export async function submitConsent(
  origin: string,
  form: ConsentForm,
  decision: "approve" | "deny",
  jar: CookieJar,
  override: Record<string, string> = {},
): Promise<Response> {
  const url = `${origin}/authorize`;
  const cookie = jar.header(url);
  const response = await fetch(url, {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({ consent_id: form.consentId, csrf_token: form.csrf, decision, ...override }).toString(),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin,
      "sec-fetch-site": "same-origin",
      "sec-fetch-mode": "navigate",
      ...(cookie ? { cookie } : {}),
    },
    signal: AbortSignal.timeout(10_000),
  });
  jar.store(url, response);
  return response;
}

/** A top-level GET navigation following one redirect hop; returns the response (not followed). */
export async function navigate(
  url: string | URL,
  jar: CookieJar,
  site: "cross-site" | "same-origin" | "none" = "cross-site",
): Promise<Response> {
  const cookie = jar.header(url);
  const response = await fetch(url, {
    redirect: "manual",
    headers: { "sec-fetch-site": site, "sec-fetch-mode": "navigate", ...(cookie ? { cookie } : {}) },
    signal: AbortSignal.timeout(10_000),
  });
  jar.store(url, response);
  return response;
}

export function location(response: Response): URL {
  const raw = response.headers.get("location");
  assert.ok(raw, `expected a redirect, got ${response.status} without Location`);
  return new URL(raw);
}

/**
 * The whole browser leg for an /authorize URL the client produced: consent → approve → IdP → our
 * callback → the client's redirect URI. Returns that final URL (with code, state, iss).
 */
export async function approveInBrowser(authorizeUrl: string | URL, jar = new CookieJar()): Promise<URL> {
  const origin = new URL(authorizeUrl).origin;
  const form = await openConsent(authorizeUrl, jar);
  const approved = await submitConsent(origin, form, "approve", jar);
  const approvedBody = await approved.text();
  assert.equal(approved.status, 302, `approve: ${approved.status} ${approvedBody.slice(0, 400)}`);
  const atIdp = location(approved);
  assert.notEqual(atIdp.origin, origin, "approval sends the browser to the upstream provider");
  const fromIdp = await navigate(atIdp, jar);
  await fromIdp.body?.cancel();
  assert.equal(fromIdp.status, 302, `IdP answered ${fromIdp.status}`);
  const callback = location(fromIdp);
  assert.equal(callback.origin, origin, "the IdP sends the browser back to Gatehouse");
  assert.equal(callback.pathname, "/oauth/provider-callback");
  const done = await navigate(callback, jar);
  const body = await done.text();
  assert.equal(done.status, 302, `provider callback: ${done.status} ${body.slice(0, 400)}`);
  return location(done);
}
