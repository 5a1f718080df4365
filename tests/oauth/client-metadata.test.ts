import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { isPublicAddress } from "../../src/oauth/ip.ts";
import { metadataUrlProblem } from "../../src/oauth/client-metadata.ts";
import { authorizeQuery, fullLogin, openConsent, req, type Setup, setup } from "./helpers.ts";

const CLIENT_URL = "https://app.example.com/oauth/client.json";
const DOC = {
  client_id: CLIENT_URL,
  client_name: "Example App",
  redirect_uris: ["http://127.0.0.1:33418/callback"],
  token_endpoint_auth_method: "none",
};

describe("Client ID Metadata Documents with SSRF defence", () => {
  let s: Setup;
  let addresses: Record<string, string[]> = {};
  let documents: Record<string, () => Response> = {};
  let fetched: string[] = [];
  before(async () => {
    s = await setup({
      oauth: {
        clientMetadata: {
          resolve: (host) => Promise.resolve(addresses[host] ?? []),
          fetch: (url, init) => {
            fetched.push(url);
            assert.equal(init.redirect, "manual");
            const make = documents[url];
            return Promise.resolve(make ? make() : new Response("nope", { status: 404 }));
          },
        },
      },
    });
  });
  after(() => s.close());
  const reset = () => {
    addresses = { "app.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"] };
    documents = { [CLIENT_URL]: () => Response.json(DOC, { headers: { "cache-control": "max-age=60" } }) };
    fetched = [];
  };
  const authorize = async (clientId: string) => s.server.fetch(req(`/authorize?${(await authorizeQuery({ clientId })).query}`));

  it("advertises support", async () => {
    const meta = await (await s.server.fetch(req("/.well-known/oauth-authorization-server"))).json();
    assert.equal(meta.client_id_metadata_document_supported, true);
  });

  it("uses a valid document: consent names the client and where its identity is published; cached per Cache-Control", async () => {
    reset();
    const page = await openConsent(s.server, (await authorizeQuery({ clientId: CLIENT_URL })).query);
    assert.match(page.html, /Example App/);
    assert.match(page.html, /published at <code>app\.example\.com<\/code>/);
    await authorize(CLIENT_URL);
    assert.equal(fetched.length, 1, "second use came from the cache");
    const t = await fullLogin(s, CLIENT_URL);
    assert.ok(t.access_token);
  });

  it("refuses hosts that resolve to private, loopback, link-local or reserved addresses, without fetching", async () => {
    for (
      const bad of [
        "10.0.0.5",
        "127.0.0.1",
        "169.254.169.254",
        "192.168.1.1",
        "100.64.0.1",
        "::1",
        "fd00::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",
      ]
    ) {
      reset();
      const url = `https://evil${fetched.length}-${bad.replace(/[.:]/g, "-")}.example.com/client.json`;
      addresses[new URL(url).hostname] = ["93.184.216.34", bad];
      documents[url] = () => Response.json({ ...DOC, client_id: url });
      const r = await authorize(url);
      assert.equal(r.status, 400, bad);
      assert.match(await r.text(), /private or reserved/);
      assert.equal(fetched.length, 0, bad);
    }
  });

  it("refuses redirects, oversized documents, wrong content types and a client_id that is not the URL", async () => {
    const doc = (url: string, extra: Record<string, unknown> = {}) => ({ ...DOC, client_id: url, ...extra });
    const cases: Array<[string, (url: string) => Response, RegExp]> = [
      [
        "redirect",
        () => new Response(null, { status: 302, headers: { location: "http://169.254.169.254/" } }),
        /redirects are not followed/,
      ],
      ["big", (url) => Response.json(doc(url, { client_name: "x".repeat(6000) })), /too large/],
      ["html", (url) => new Response(JSON.stringify(doc(url)), { headers: { "content-type": "text/html" } }), /not JSON/],
      ["mismatch", () => Response.json(doc("https://other.example.com/client.json")), /does not equal its URL/],
      ["secret", (url) => Response.json(doc(url, { client_secret: "s" })), /secret/],
      ["badredirect", (url) => Response.json(doc(url, { redirect_uris: ["javascript:alert(1)"] })), /redirect_uri/],
      ["noname", (url) => Response.json(doc(url, { client_name: undefined })), /client_name/],
    ];
    for (const [name, make, reason] of cases) {
      reset();
      const url = `https://app.example.com/${name}.json`;
      documents[url] = () => make(url);
      const r = await authorize(url);
      assert.equal(r.status, 400, name);
      assert.match(await r.text(), reason, name);
    }
  });

  it("refuses URLs that are not https with a path on a public name and default port", () => {
    assert.match(metadataUrlProblem("http://app.example.com/c.json")!, /https/);
    assert.match(metadataUrlProblem("https://app.example.com/")!, /path/);
    assert.match(metadataUrlProblem("https://app.example.com:8443/c.json")!, /port/);
    assert.match(metadataUrlProblem("https://localhost/c.json")!, /public/);
    assert.match(metadataUrlProblem("https://10.0.0.1/c.json")!, /private/);
    assert.match(metadataUrlProblem("https://[::1]/c.json")!, /public|private/);
    assert.match(metadataUrlProblem("https://u:p@app.example.com/c.json")!, /credentials/);
    assert.equal(metadataUrlProblem(CLIENT_URL), undefined);
  });

  it("judges addresses", () => {
    for (const ok of ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"]) assert.ok(isPublicAddress(ok), ok);
    for (
      const bad of [
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "224.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fc00::1",
        "fe80::1",
        "2001:db8::1",
        "2002:a00:1::1",
        "64:ff9b::a00:1",
        "::ffff:127.0.0.1",
        "010.0.0.1",
        "1.2.3",
        "nonsense",
      ]
    ) {
      assert.ok(!isPublicAddress(bad), bad);
    }
  });
});

describe("Client ID Metadata Documents when not enabled", () => {
  let s: Setup;
  before(async () => (s = await setup()));
  after(() => s.close());
  it("are refused and not advertised", async () => {
    const meta = await (await s.server.fetch(req("/.well-known/oauth-authorization-server"))).json();
    assert.equal(meta.client_id_metadata_document_supported, false);
    const r = await s.server.fetch(req(`/authorize?${(await authorizeQuery({ clientId: CLIENT_URL })).query}`));
    assert.equal(r.status, 400);
  });
});
