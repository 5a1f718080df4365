/**
 * @module src/runtime/node.ts in process, on this runtime's node:http: streamed request bodies, the abort signal on disconnect, streamed responses, headers, and what it refuses.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { type NodeServer, serveNode } from "../../src/runtime/node.ts";
import type { RequestInfo } from "../../src/http/pipeline.ts";

const within = <T>(ms: number, promise: Promise<T>, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);

async function withServer(
  handler: (request: Request, info?: RequestInfo) => Promise<Response>,
  body: (server: NodeServer, origin: string) => Promise<void>,
) {
  const server = await serveNode(handler, { port: 0, hostname: "127.0.0.1" });
  try {
    await body(server, `http://127.0.0.1:${server.port}`);
  } finally {
    await within(5000, server.close(), "close");
  }
}

/** Sends raw bytes and returns the status line of the answer. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let got = "";
    socket.on("data", (d) => {
      got += String(d);
      if (got.includes("\r\n")) {
        socket.destroy();
        resolve(got.split("\r\n")[0]);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(got.split("\r\n")[0]));
  });
}

describe("serveNode", () => {
  it("hands the handler a streamed body, the URL, the headers and the client address", async () => {
    let seen: { url: string; method: string; custom: string | null; streamed: boolean; info?: RequestInfo } | undefined;
    await withServer(async (request, info) => {
      seen = {
        url: request.url,
        method: request.method,
        custom: request.headers.get("x-custom"),
        streamed: request.body instanceof ReadableStream,
        info,
      };
      const bytes = new Uint8Array(await request.arrayBuffer());
      let sum = 0;
      for (const b of bytes) sum = (sum + b) % 65521;
      return Response.json({ length: bytes.length, sum });
    }, async (_server, origin) => {
      const payload = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) % 251);
      let sum = 0;
      for (const b of payload) sum = (sum + b) % 65521;
      const response = await fetch(`${origin}/p/a?th=1`, { method: "PUT", headers: { "x-custom": "yes" }, body: payload });
      assert.deepEqual(await response.json(), { length: payload.length, sum });
    });
    assert.equal(seen?.url.replace(/:\d+\//, ":PORT/"), "http://127.0.0.1:PORT/p/a?th=1");
    assert.equal(seen?.method, "PUT");
    assert.equal(seen?.custom, "yes");
    assert.equal(seen?.streamed, true);
    assert.match(seen?.info?.remoteAddress ?? "", /127\.0\.0\.1/);
  });

  it("writes status, repeated Set-Cookie headers and no body for HEAD", async () => {
    await withServer((request) =>
      Promise.resolve(
        new Response(request.method === "HEAD" ? null : "created", {
          status: 201,
          headers: [["set-cookie", "a=1; Path=/"], ["set-cookie", "b=2; Path=/"], ["x-thing", "1"]],
        }),
      ), async (_server, origin) => {
      const response = await fetch(origin, { method: "POST", body: "{}" });
      assert.equal(response.status, 201);
      assert.deepEqual(response.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/"]);
      assert.equal(response.headers.get("x-thing"), "1");
      assert.equal(await response.text(), "created");
      const head = await fetch(origin, { method: "HEAD" });
      assert.equal(head.status, 201);
      assert.equal(await head.text(), "");
    });
  });

  it("streams the response as it is produced; a client that leaves aborts request.signal and cancels the body", async () => {
    let aborted!: () => void;
    const signalAborted = new Promise<void>((r) => (aborted = r));
    let cancelled!: () => void;
    const bodyCancelled = new Promise<void>((r) => (cancelled = r));
    await withServer((request) => {
      request.signal.addEventListener("abort", () => aborted());
      let timer: ReturnType<typeof setInterval>;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("event: first\ndata: {}\n\n"));
          timer = setInterval(() => controller.enqueue(new TextEncoder().encode(": keep-alive\n\n")), 100);
        },
        cancel() {
          clearInterval(timer);
          cancelled();
        },
      });
      return Promise.resolve(new Response(body, { headers: { "content-type": "text/event-stream" } }));
    }, async (_server, origin) => {
      const client = new AbortController();
      const response = await fetch(`${origin}/events`, { signal: client.signal });
      const reader = response.body!.getReader();
      const first = await within(2000, reader.read(), "first event");
      assert.match(new TextDecoder().decode(first.value), /event: first/); // arrived while the stream is still open
      client.abort();
      await reader.cancel().catch(() => {});
      await within(3000, signalAborted, "request.signal abort");
      await within(3000, bodyCancelled, "response body cancel");
    });
  });

  it("close() ends open streams instead of waiting for them", async () => {
    const server = await serveNode(
      () => Promise.resolve(new Response(new ReadableStream({ start: (c) => c.enqueue(new Uint8Array([58, 10, 10])) }))),
      { port: 0 },
    );
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    const reader = response.body!.getReader();
    await reader.read();
    await within(3000, server.close(), "close with an open stream");
    await reader.cancel().catch(() => {});
  });

  it("answers 500 when the handler throws, and keeps serving", async () => {
    let calls = 0;
    await withServer(() => {
      if (calls++ === 0) throw new Error("boom");
      return Promise.resolve(new Response("fine"));
    }, async (_server, origin) => {
      const failed = await fetch(origin);
      assert.equal(failed.status, 500);
      assert.doesNotMatch(await failed.text(), /boom/);
      assert.equal(await (await fetch(origin)).text(), "fine");
    });
  });

  it("refuses a malformed Host and an absolute-form target with 400, before the handler", async () => {
    let called = 0;
    await withServer(() => (called++, Promise.resolve(new Response("handled"))), async (server) => {
      assert.match(await raw(server.port, "GET / HTTP/1.1\r\nHost: evil.example@127.0.0.1\r\nConnection: close\r\n\r\n"), / 400 /);
      assert.match(await raw(server.port, "GET http://other.example/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), / 400 /);
      assert.match(await raw(server.port, "GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), / 200 /);
    });
    assert.equal(called, 1);
  });
});
