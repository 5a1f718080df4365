/** The CLI's keygen, check and serve commands. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { check, keygen } from "../../src/cli/commands.ts";
import { binary, freePort } from "../helpers/processes.ts";

const root = resolve(import.meta.dirname!, "../..");

describe("gatehouse keygen", () => {
  it("prints distinct 256-bit secrets in env syntax", async () => {
    const lines = await keygen();
    const values = lines.filter((l) => !l.startsWith("#")).map((l) => l.split("=")[1]);
    assert.equal(values.length, 4);
    for (const v of values) assert.match(v, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(new Set(values).size, 4);
    assert.notDeepEqual(await keygen(), lines);
  });

  it("with --jwk adds an ES256 key pair whose public half carries no private part", async () => {
    const lines = await keygen({ jwk: true });
    const jwks = JSON.parse(lines.find((l) => l.startsWith("JWKS="))!.slice(6, -1));
    assert.equal(jwks.keys[0].kty, "EC");
    assert.equal(jwks.keys[0].d, undefined);
    const priv = JSON.parse(lines.find((l) => l.startsWith("SIGNING_JWK="))!.slice(13, -1));
    assert.ok(priv.d);
    assert.equal(priv.kid, jwks.keys[0].kid);
  });
});

describe("gatehouse check", () => {
  it("describes the effective setup without printing any secret", () => {
    const secret = "check-secret-0123456789abcdefghijklmnop";
    const r = check({ API_KEY: secret, API_KEY_HEADER: "X-Team-Key", RATE_LIMIT_RPS: "5", STORE: "sqlite:/tmp/x.db" });
    assert.equal(r.ok, true);
    const text = r.lines.join("\n");
    assert.match(text, /strategy: +api_key in header x-team-key \(1 key\) \[inferred/);
    assert.match(text, /rate limit: 5\/s per caller, bursts of 10/);
    assert.match(text, /store: +sqlite:\/tmp\/x.db/);
    assert.ok(!text.includes(secret));
  });

  it("fails with one line naming the variable and what to do next", () => {
    const r = check({ PORT: "eighty" });
    assert.equal(r.ok, false);
    assert.match(r.lines[0], /^gatehouse: PORT: /);
    assert.match(r.lines[1], /Fix PORT/);
  });

  it("warns about an open server on a public address", () => {
    const r = check({ HOST: "0.0.0.0" });
    assert.ok(r.lines.some((l) => /WARNING: .*AUTH_STRATEGY=none/.test(l)));
  });
});

describe("gatehouse serve", () => {
  it("serves the configured server until stopped", async () => {
    // A port the OS handed out (a random one can be taken, e.g. by an outgoing connection's ephemeral port).
    const port = await freePort();
    const runtime = (globalThis as { Bun?: unknown }).Bun ? ["bun", ["run"]] : ["deno", ["run", "-A"]];
    const child = spawn(binary(runtime[0] as string), [...runtime[1] as string[], "src/cli/main.ts", "serve"], {
      cwd: root,
      env: { ...process.env, PORT: String(port), AUDIT_LOG: "off" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    try {
      let status = 0;
      for (let i = 0; i < 100 && status !== 200 && child.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0);
      }
      assert.equal(status, 200, `no healthy server on port ${port} (exit code ${child.exitCode}); its standard error: ${stderr}`);
    } finally {
      child.kill();
    }
  });
});
