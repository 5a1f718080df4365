/**
 * @module End to end in a real browser: Debian's Chromium driven by playwright-core clicks through Gatehouse's consent page, served by the REAL server (`src/main.ts`, AUTH_STRATEGY=oauth) under Bun and Deno, with the stand-in OpenID provider (tests/oauth/fake-idp.ts) and the MCP client's loopback callback on real sockets.
 *
 * Covered: the page names the client and the redirect host (client-supplied text escaped), the
 * `__Host-` consent cookie is accepted by the browser, Allow ends at the client's redirect URI with
 * `code`, `state` and `iss` (and the code redeems), Deny ends there with `error=access_denied` and
 * `iss`, the page refuses to be framed (headers, and an actual cross-origin iframe), a second tab
 * submitting the same consent form after the first approved is refused, and another browser
 * (no consent cookie) cannot approve.
 *
 * Needs `/usr/bin/chromium` (Debian package `chromium`); where it is absent every test here is
 * reported as skipped, with the reason.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type OAuthStack, SERVER_RUNTIMES, startStack } from "./oauth-helpers/stack.ts";

const CHROMIUM = "/usr/bin/chromium";
const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TEST = { timeout: 30_000 };
const HOOK = { timeout: 30_000 };
const NAV = 15_000;
const SKIP = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is not installed (Debian package "chromium"): the consent page was NOT clicked through in a real browser`;
if (SKIP) console.warn(`oauth-browser.test.ts: SKIPPED: ${SKIP}`);
/** Client-supplied name, with markup that must come out as text. */
const CLIENT_NAME = "Acme Notes <img src=x onerror=alert(1)>";

const b64url = (buf: Buffer) => buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The MCP client's loopback redirect target (RFC 8252), plus a cross-origin page that tries to frame a URL. */
async function startClientSite(): Promise<{ origin: string; callback: string; hits: URL[]; close(): Promise<void> }> {
  const hits: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/callback") {
      hits.push(url);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end("<!doctype html><title>Client callback</title><h1>Signed in</h1>");
    }
    if (url.pathname === "/frame") {
      const target = url.searchParams.get("src") ?? "";
      const escaped = target.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(
        `<!doctype html><title>Framing attempt</title><iframe id="victim" src="${escaped}" width="600" height="400"></iframe>`,
      );
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    callback: `${origin}/callback`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

async function registerClient(stack: OAuthStack, redirectUri: string): Promise<string> {
  const r = await fetch(`${stack.origin}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: CLIENT_NAME,
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await r.json();
  assert.equal(r.status, 201, JSON.stringify(body));
  return body.client_id;
}

function authorizeUrl(stack: OAuthStack, clientId: string, redirectUri: string) {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(12));
  const url = new URL(`${stack.origin}/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: b64url(createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256",
    state,
    resource: stack.mcpUrl.href,
    scope: "openid email",
  }).toString();
  return { url: url.href, verifier, state };
}

for (const runtime of SERVER_RUNTIMES) {
  describe(`OAuth consent page in Chromium → ${runtime} server`, () => {
    if (SKIP) {
      it("clicks through the consent page in Chromium", { skip: SKIP }, () => {});
      return;
    }
    let stack: OAuthStack;
    let site: Awaited<ReturnType<typeof startClientSite>>;
    let browser: any;
    let clientId = "";

    before(async () => {
      stack = await startStack(runtime);
      site = await startClientSite();
      clientId = await registerClient(stack, site.callback);
      const { chromium } = await import("playwright-core");
      browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 20_000 });
    }, HOOK);
    after(async () => {
      await browser?.close().catch(() => {});
      await site?.close();
      await stack?.stop();
    }, HOOK);

    /** A fresh browser profile (its own cookie jar) with bounded timeouts. */
    async function freshContext() {
      const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
      context.setDefaultTimeout(NAV);
      context.setDefaultNavigationTimeout(NAV);
      return context;
    }

    it("shows the client's name (as text) and the redirect host, sets the __Host- cookie, and renders", TEST, async () => {
      const context = await freshContext();
      try {
        const page = await context.newPage();
        const { url } = authorizeUrl(stack, clientId, site.callback);
        const response = await page.goto(url);
        assert.equal(response.status(), 200);
        assert.equal(await page.title(), `Authorize ${CLIENT_NAME}`);
        const heading = await page.textContent("h1");
        assert.ok(heading.includes(CLIENT_NAME), `heading: ${heading}`);
        assert.equal(await page.locator("img").count(), 0, "client-supplied markup is not rendered");
        assert.equal(await page.textContent(".host"), new URL(site.callback).host, "the redirect host is shown prominently");
        assert.ok((await page.textContent("body")).includes(site.callback), "and the full redirect URI");
        assert.ok(await page.getByRole("button", { name: "Allow" }).isVisible());
        assert.ok(await page.getByRole("button", { name: "Deny" }).isVisible());
        const cookies = await context.cookies(stack.origin);
        const consent = cookies.find((c: any) => c.name === "__Host-gatehouse-consent");
        assert.ok(consent, `the browser kept the consent cookie: ${JSON.stringify(cookies)}`);
        assert.equal(consent.secure, true);
        assert.equal(consent.httpOnly, true);
        assert.equal(consent.sameSite, "Lax");
        assert.equal(consent.path, "/");
        const file = `/tmp/gatehouse-consent-${runtime}.png`;
        await page.screenshot({ path: file, fullPage: true });
        assert.ok(existsSync(file));
      } finally {
        await context.close();
      }
    });

    it("Allow in a real browser is accepted (the consent page's own form POST passes the origin check)", TEST, async () => {
      const context = await freshContext();
      try {
        const page = await context.newPage();
        const { url } = authorizeUrl(stack, clientId, site.callback);
        await page.goto(url);
        const [post] = await Promise.all([
          page.waitForRequest((r: any) => r.url() === `${stack.origin}/authorize` && r.method() === "POST"),
          page.getByRole("button", { name: "Allow" }).click(),
        ]);
        const sent = await post.allHeaders();
        const answer = await post.response();
        assert.equal(sent["sec-fetch-site"], "same-origin", "the browser itself says the POST came from the consent page");
        assert.equal(
          answer.status(),
          302,
          `the consent page's own Allow button was refused with ${answer.status()} (the browser sent Origin: ${sent.origin}, Sec-Fetch-Site: ${
            sent["sec-fetch-site"]
          })`,
        );
      } finally {
        await context.close();
      }
    });

    it("Allow → the IdP → back to the client's redirect URI with code, state and iss; the code redeems", TEST, async () => {
      const context = await freshContext();
      try {
        const page = await context.newPage();
        const { url, verifier, state } = authorizeUrl(stack, clientId, site.callback);
        await page.goto(url);
        await Promise.all([
          page.waitForURL((u: URL) => u.href.startsWith(site.callback)),
          page.getByRole("button", { name: "Allow" }).click(),
        ]);
        const landed = new URL(page.url());
        assert.equal(landed.origin + landed.pathname, site.callback);
        assert.equal(landed.searchParams.get("iss"), stack.origin, "RFC 9207 iss");
        assert.equal(landed.searchParams.get("state"), state);
        assert.equal(landed.searchParams.get("error"), null, landed.href);
        const code = landed.searchParams.get("code");
        assert.ok(code, landed.href);
        assert.equal(await page.textContent("h1"), "Signed in", "the client's callback page was actually loaded");
        assert.equal(site.hits.at(-1)?.searchParams.get("code"), code);
        const t = await fetch(`${stack.origin}/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "authorization_code",
            code,
            redirect_uri: site.callback,
            code_verifier: verifier,
            client_id: clientId,
            resource: stack.mcpUrl.href,
          }).toString(),
          signal: AbortSignal.timeout(10_000),
        });
        const body = await t.json();
        assert.equal(t.status, 200, JSON.stringify(body));
        assert.ok(body.access_token && body.refresh_token);
      } finally {
        await context.close();
      }
    });

    it("Deny → back to the client's redirect URI with error=access_denied, state and iss, and nothing sent upstream", TEST, async () => {
      const context = await freshContext();
      try {
        const page = await context.newPage();
        const { url, state } = authorizeUrl(stack, clientId, site.callback);
        await page.goto(url);
        const upstreamBefore = stack.idp.authorizeRequests.length;
        await Promise.all([
          page.waitForURL((u: URL) => u.href.startsWith(site.callback)),
          page.getByRole("button", { name: "Deny" }).click(),
        ]);
        const landed = new URL(page.url());
        assert.equal(landed.origin + landed.pathname, site.callback);
        assert.equal(landed.searchParams.get("error"), "access_denied");
        assert.equal(landed.searchParams.get("iss"), stack.origin);
        assert.equal(landed.searchParams.get("state"), state);
        assert.equal(landed.searchParams.get("code"), null);
        assert.equal(stack.idp.authorizeRequests.length, upstreamBefore, "a denial never reaches the provider");
      } finally {
        await context.close();
      }
    });

    it("cannot be framed: X-Frame-Options DENY and CSP frame-ancestors 'none', and a cross-origin iframe stays empty", TEST, async () => {
      const context = await freshContext();
      try {
        const page = await context.newPage();
        const { url } = authorizeUrl(stack, clientId, site.callback);
        const direct = await page.goto(url);
        const headers = direct.headers();
        assert.equal(headers["x-frame-options"], "DENY");
        assert.match(headers["content-security-policy"] ?? "", /frame-ancestors 'none'/);
        assert.match(headers["cache-control"] ?? "", /no-store/);
        assert.match(
          headers["referrer-policy"] ?? "",
          /^(no-referrer|same-origin)$/,
          "the authorization request in the URL never leaks to another site",
        );

        const framed = authorizeUrl(stack, clientId, site.callback);
        const seen = page.waitForResponse((r: any) => r.url().startsWith(`${stack.origin}/authorize`), { timeout: NAV });
        await page.goto(`${site.origin}/frame?src=${encodeURIComponent(framed.url)}`);
        const response = await seen;
        assert.equal(response.status(), 200, "the server answered the framed request…");
        await page.waitForTimeout(300);
        assert.equal(page.frames().length, 2, "the framing page has its iframe");
        for (const frame of page.frames()) {
          if (frame === page.mainFrame()) continue;
          const form = await frame.$("input[name=csrf_token]").catch(() => null);
          assert.equal(form, null, `…but the browser did not render the consent form inside the frame (frame url ${frame.url()})`);
        }
      } finally {
        await context.close();
      }
    });

    it("a second tab submitting the same consent form after the first approved is refused", TEST, async () => {
      const context = await freshContext();
      try {
        const first = await context.newPage();
        const { url } = authorizeUrl(stack, clientId, site.callback);
        await first.goto(url);
        const html = await first.content();
        // The second tab holds the very same form (same consent_id and CSRF token), on the server's origin.
        const copy = `${stack.origin}/__second-tab-copy`;
        const second = await context.newPage();
        await second.route(copy, (route: any) => route.fulfill({ status: 200, contentType: "text/html", body: html }));
        await second.goto(copy);
        assert.equal(await second.inputValue("input[name=consent_id]"), await first.inputValue("input[name=consent_id]"));

        await Promise.all([
          first.waitForURL((u: URL) => u.href.startsWith(site.callback)),
          first.getByRole("button", { name: "Allow" }).click(),
        ]);
        assert.ok(new URL(first.url()).searchParams.get("code"), "the first tab's approval went through");

        const upstreamBefore = stack.idp.authorizeRequests.length;
        const [replayed] = await Promise.all([
          second.waitForResponse((r: any) => r.url() === `${stack.origin}/authorize` && r.request().method() === "POST"),
          second.getByRole("button", { name: "Allow" }).click(),
        ]);
        assert.equal(replayed.status(), 400);
        await second.waitForLoadState();
        assert.equal(new URL(second.url()).origin, stack.origin, "the second tab stays on Gatehouse's error page");
        assert.match(await second.textContent("body"), /expired or was already answered/);
        assert.equal(stack.idp.authorizeRequests.length, upstreamBefore, "the replay never reaches the provider");
      } finally {
        await context.close();
      }
    });

    it("another browser (without the consent cookie) cannot approve a consent it did not see", TEST, async () => {
      const victim = await freshContext();
      const attacker = await freshContext();
      try {
        const page = await victim.newPage();
        const { url } = authorizeUrl(stack, clientId, site.callback);
        await page.goto(url);
        const html = await page.content();
        const copy = `${stack.origin}/__other-browser-copy`;
        const other = await attacker.newPage();
        await other.route(copy, (route: any) => route.fulfill({ status: 200, contentType: "text/html", body: html }));
        await other.goto(copy);
        const [answer] = await Promise.all([
          other.waitForResponse((r: any) => r.url() === `${stack.origin}/authorize` && r.request().method() === "POST"),
          other.getByRole("button", { name: "Allow" }).click(),
        ]);
        assert.equal(answer.status(), 403);
        await other.waitForLoadState();
        assert.match(await other.textContent("body"), /not shown in this browser/);
      } finally {
        await victim.close();
        await attacker.close();
      }
    });
  });
}
