/**
 * @module The consent page as a browser parses it: happy-dom's Window/DOMParser over the HTML Gatehouse serves (JavaScript disabled, nothing loaded). A hostile client name stays text; the redirect host, scopes and provider are shown; the form posts the hidden consent_id and csrf_token to /authorize with Allow and Deny; no script of any kind; the headers forbid framing and caching. The form's own data, submitted with fetch, leads to the provider (Allow) or back to the client with access_denied (Deny).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Window } from "happy-dom";
import { createServer, defineTool } from "../../src/mod.ts";
import { memoryStore } from "../../src/store/memory.ts";
import { oauthProvider } from "../../src/oauth/provider-mode.ts";
import { authorizeQuery, CLIENT_REDIRECT, PUBLIC, register, req, type Setup, setup } from "./helpers.ts";

/** Markup and script in every form a name can carry them. */
const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert(2)"><b>Evil</b> & "Co" 'x' \`y\``;

function parse(html: string) {
  const window = new Window({
    url: `${PUBLIC}/authorize`,
    settings: {
      disableJavaScriptEvaluation: true,
      disableJavaScriptFileLoading: true,
      disableCSSFileLoading: true,
      disableIframePageLoading: true,
      disableComputedStyleRendering: true,
      navigation: { disableMainFrameNavigation: true, disableChildFrameNavigation: true, disableChildPageNavigation: true },
    },
  });
  const document = new window.DOMParser().parseFromString(html, "text/html");
  return { window, document };
}

/** The fields a browser would submit when `button` is clicked: the form's named inputs plus the button's name=value. */
function submission(form: any, button: any): URLSearchParams {
  const data = new URLSearchParams();
  for (const input of form.querySelectorAll("input")) if (input.name) data.append(input.name, input.value);
  if (button.name) data.append(button.name, button.value);
  return data;
}

describe("oauth consent page, parsed with happy-dom", () => {
  let s: Setup;
  let clientId: string;
  let response: Response;
  let html: string;
  let dom: ReturnType<typeof parse>;

  before(async () => {
    s = await setup();
    clientId = (await register(s.server, { client_name: HOSTILE })).client_id;
    const { query } = await authorizeQuery({ clientId, state: "dom-state" });
    response = await s.server.fetch(req(`/authorize?${query}`));
    html = await response.text();
    assert.equal(response.status, 200, html.slice(0, 300));
    dom = parse(html);
  });
  after(async () => {
    await dom?.window.happyDOM.close();
    await s.close();
  });

  it("renders the client's name as text: its script and markup do not become elements", () => {
    const { document } = dom;
    assert.equal(document.querySelectorAll("script").length, 0, "no <script> element");
    assert.equal(document.querySelectorAll("img").length, 0, "no <img> element");
    assert.equal(document.querySelectorAll("b").length, 0, "no <b> element from the name");
    const h1 = document.querySelector("h1")!;
    assert.equal(h1.textContent, `Allow ${HOSTILE} to use localhost:8000?`);
    assert.equal(h1.children.length, 0, "the heading holds text only");
    assert.equal(document.querySelector("strong")!.textContent, HOSTILE);
    assert.equal(document.title, `Authorize ${HOSTILE}`);
    assert.match(document.body.textContent!, /has not been verified/, "a registered name is flagged as the client's own claim");
  });

  it("shows the redirect host prominently, the full redirect URI, the provider and both scope lists", () => {
    const { document } = dom;
    assert.equal(document.querySelector(".host")!.textContent, "127.0.0.1:33418");
    const codes = [...document.querySelectorAll("code")].map((c: any) => c.textContent);
    assert.ok(codes.includes(CLIENT_REDIRECT), codes.join(" | "));
    // The fake IdP's name is its host; it grants "openid email" upstream; the client gets mcp:tools.
    assert.ok(document.body.textContent!.includes("You will sign in with 127.0.0.1"), document.body.textContent!);
    const lists = [...document.querySelectorAll("ul")].map((ul: any) => [...ul.querySelectorAll("li")].map((li: any) => li.textContent));
    assert.deepEqual(lists, [["openid", "email"], ["mcp:tools"]]);
    assert.equal(document.querySelector(".warn")?.textContent?.includes("your own computer"), true, "a loopback redirect is called out");
  });

  it("has one form posting to /authorize with the hidden consent_id and csrf_token and both buttons", () => {
    const { document } = dom;
    const forms = document.querySelectorAll("form");
    assert.equal(forms.length, 1);
    const form = forms[0] as any;
    assert.equal(form.method, "post");
    assert.equal(form.action, `${PUBLIC}/authorize`);
    const inputs = [...form.querySelectorAll("input")] as any[];
    assert.deepEqual(inputs.map((i) => [i.type, i.name]), [["hidden", "consent_id"], ["hidden", "csrf_token"]]);
    assert.match(inputs[0].value, /^[A-Za-z0-9_-]{16,64}$/);
    assert.match(inputs[1].value, /^[A-Za-z0-9_-]{43}$/);
    const buttons = [...form.querySelectorAll("button")] as any[];
    assert.deepEqual(buttons.map((b) => [b.type, b.name, b.value, b.textContent]), [
      ["submit", "decision", "approve", "Allow"],
      ["submit", "decision", "deny", "Deny"],
    ]);
  });

  it("carries no script at all: no script elements, no event-handler attributes, no javascript: URLs, nothing loaded from elsewhere", () => {
    const { document } = dom;
    for (const el of [...document.querySelectorAll("*")] as any[]) {
      for (const attr of [...el.attributes] as any[]) {
        assert.ok(!/^on/i.test(attr.name), `<${el.tagName.toLowerCase()} ${attr.name}>`);
        assert.ok(!/^\s*(javascript|data):/i.test(attr.value), `<${el.tagName.toLowerCase()} ${attr.name}="${attr.value}">`);
      }
    }
    for (const tag of ["script", "iframe", "frame", "object", "embed", "link", "img", "base", "meta[http-equiv]"]) {
      assert.equal(document.querySelectorAll(tag).length, 0, tag);
    }
    assert.equal(document.querySelectorAll("[src], [href]").length, 0, "no external resources or links");
  });

  it("has the expected document metadata and response headers", () => {
    const { document } = dom;
    assert.equal(document.documentElement.getAttribute("lang"), "en");
    assert.equal(document.querySelector("meta[charset]")!.getAttribute("charset"), "utf-8");
    assert.match(document.querySelector('meta[name="viewport"]')!.getAttribute("content")!, /width=device-width/);
    const h = response.headers;
    assert.equal(h.get("content-type"), "text/html; charset=utf-8");
    assert.equal(h.get("x-frame-options"), "DENY");
    const csp = h.get("content-security-policy")!;
    assert.match(csp, /(^|; )default-src 'none'(;|$)/);
    assert.match(csp, /(^|; )frame-ancestors 'none'(;|$)/);
    assert.match(csp, /(^|; )base-uri 'none'(;|$)/);
    assert.ok(!/script-src/.test(csp), "no script source is allowed (default-src 'none')");
    assert.equal(h.get("cache-control"), "no-store");
    assert.equal(h.get("referrer-policy"), "same-origin");
    assert.equal(h.get("x-content-type-options"), "nosniff");
    const cookie = h.get("set-cookie")!;
    assert.match(cookie, /^__Host-gatehouse-consent=[A-Za-z0-9_-]{43}; /);
    for (const attr of ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"]) {
      assert.ok(cookie.split("; ").includes(attr), `${attr} in ${cookie}`);
    }
    assert.ok(!/Domain=/i.test(cookie));
  });

  /** Submits the parsed form as the browser would when `decision`'s button is clicked: its action, method and fields, plus the cookie. */
  async function submit(page: { response: Response; dom: ReturnType<typeof parse> }, decision: "approve" | "deny") {
    const form = page.dom.document.querySelector("form") as any;
    const button = form.querySelector(`button[value="${decision}"]`);
    return await s.server.fetch(
      new Request(form.action, {
        method: form.method.toUpperCase(),
        body: submission(form, button).toString(),
        headers: {
          host: new URL(PUBLIC).host,
          // The form declares no enctype: the browser default, application/x-www-form-urlencoded.
          "content-type": form.getAttribute("enctype") ?? "application/x-www-form-urlencoded",
          cookie: page.response.headers.get("set-cookie")!.split(";")[0],
          origin: PUBLIC,
          "sec-fetch-site": "same-origin",
          "sec-fetch-mode": "navigate",
        },
        redirect: "manual",
      }),
    );
  }

  async function freshPage(state: string) {
    const { query } = await authorizeQuery({ clientId, state });
    const r = await s.server.fetch(req(`/authorize?${query}`));
    const text = await r.text();
    assert.equal(r.status, 200);
    return { response: r, dom: parse(text) };
  }

  it("Allow, submitted from the parsed form, redirects to the provider with a fresh upstream state", async () => {
    const page = await freshPage("allow-state");
    try {
      const r = await submit(page, "approve");
      assert.equal(r.status, 302, await r.clone().text());
      const to = new URL(r.headers.get("location")!);
      assert.equal(to.origin, s.idp.issuer);
      assert.equal(to.searchParams.get("client_id"), s.idp.clientId);
      assert.equal(to.searchParams.get("redirect_uri"), `${PUBLIC}/oauth/provider-callback`);
      assert.match(to.searchParams.get("state")!, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(to.searchParams.get("state"), "allow-state", "the client's state never goes upstream");
      assert.equal(to.searchParams.get("code_challenge_method"), "S256");
      // The same form again: the consent is single-use.
      const again = await submit(page, "approve");
      assert.equal(again.status, 400);
      assert.equal(again.headers.get("location"), null);
    } finally {
      await page.dom.window.happyDOM.close();
    }
  });

  it("Deny, submitted from the parsed form, returns to the client with access_denied, its state and iss", async () => {
    const page = await freshPage("deny-state");
    try {
      const r = await submit(page, "deny");
      assert.equal(r.status, 302);
      const to = new URL(r.headers.get("location")!);
      assert.equal(`${to.origin}${to.pathname}`, CLIENT_REDIRECT);
      assert.equal(to.searchParams.get("error"), "access_denied");
      assert.equal(to.searchParams.get("state"), "deny-state");
      assert.equal(to.searchParams.get("iss"), PUBLIC);
      assert.equal(to.searchParams.get("code"), null);
    } finally {
      await page.dom.window.happyDOM.close();
    }
  });
});

describe("oauth consent page in own-login mode, parsed with happy-dom", () => {
  it("names the signed-in user as text (hostile claims stay text), shows no provider, and still posts consent_id and csrf_token", async () => {
    const store = memoryStore();
    const auth = oauthProvider({
      issuer: PUBLIC,
      store,
      scopes: ["notes:read"],
      authorize: () => ({ subject: "u-1", claims: { email: `<img src=x onerror=alert(1)>@example.com` } }),
    });
    const server = createServer({
      name: "own",
      version: "1.0.0",
      tools: [defineTool({ name: "noop", handler: () => "ok" })],
      auth,
      store,
      publicUrl: PUBLIC,
    });
    const clientId = (await register(server)).client_id;
    const { query } = await authorizeQuery({ clientId });
    const r = await server.fetch(req(`/authorize?${query}`));
    const { window, document } = parse(await r.text());
    try {
      assert.equal(r.status, 200);
      assert.equal(document.querySelectorAll("img, script").length, 0);
      assert.ok(
        document.body.textContent!.includes("You are signed in as <img src=x onerror=alert(1)>@example.com."),
        document.body.textContent!,
      );
      assert.ok(!document.body.textContent!.includes("You will sign in with"), "no upstream provider is named");
      assert.deepEqual([...document.querySelectorAll("li")].map((li: any) => li.textContent), ["notes:read"]);
      assert.deepEqual([...document.querySelectorAll("form input")].map((i: any) => i.name), ["consent_id", "csrf_token"]);
      assert.equal(document.querySelectorAll("form button").length, 2);
    } finally {
      await window.happyDOM.close();
    }
  });
});
