/**
 * @module entry(): the default export both runtimes serve, given a handler or the promise of one (a server still opening its store).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { entry } from "../../src/runtime/entry.ts";
import type { RequestInfo } from "../../src/http/pipeline.ts";

const request = () => new Request("http://127.0.0.1/mcp", { method: "POST", body: "{}" });

describe("entry", () => {
  it("serves a handler directly, with the port and hostname given", () => {
    const answer = Promise.resolve(new Response("direct"));
    const served = entry(() => answer, { port: 8123, hostname: "127.0.0.1" });
    assert.equal(served.port, 8123);
    assert.equal(served.hostname, "127.0.0.1");
    assert.equal(served.fetch(request()), answer);
  });

  it("holds requests that arrive before the handler is ready, then calls the handler directly", async () => {
    let resolve!: (f: (request: Request, info?: RequestInfo) => Promise<Response>) => void;
    const ready = new Promise<(request: Request, info?: RequestInfo) => Promise<Response>>((r) => resolve = r);
    const seen: string[] = [];
    const served = entry(ready, { port: 0, hostname: "127.0.0.1" });

    const early = served.fetch(request());
    let settled = false;
    early.then(() => settled = true);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(settled, false, "answered before the handler existed");

    const answer = Promise.resolve(new Response("ready"));
    resolve((r) => {
      seen.push(r.method);
      return answer;
    });
    assert.equal(await (await early).text(), "ready");
    // Once ready, the runtime's call reaches the handler with no promise hop in between.
    assert.equal(served.fetch(request()), answer);
    assert.deepEqual(seen, ["POST", "POST"]);
  });

  it("hands the handler the client address the runtime reports, read when asked", async () => {
    let info: RequestInfo | undefined;
    const served = entry(
      Promise.resolve((_: Request, i?: RequestInfo) => {
        info = i;
        return Promise.resolve(new Response(null, { status: 204 }));
      }),
      { port: 0, hostname: "127.0.0.1" },
    );
    await served.fetch(request(), { remoteAddr: { hostname: "192.0.2.7" } });
    assert.equal(info?.remoteAddress, "192.0.2.7");
  });
});
