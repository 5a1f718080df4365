import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readBody, readCapped, readJson } from "../../src/http/body.ts";
import { jsonOf, mcpRequest, post, rpc, server } from "../mcp/helpers.ts";

const LIMIT = 256;
const s = server({ maxBodyBytes: LIMIT });

/** A chunked body: no Content-Length, delivered in pieces. */
function streamOf(chunks: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ >= chunks) return controller.close();
      controller.enqueue(new TextEncoder().encode(" ".repeat(size)));
    },
  });
}

describe("body size limit (maxBodyBytes)", () => {
  it("413 when the declared Content-Length exceeds the limit", async () => {
    const big = JSON.stringify(rpc("ping", { pad: "x".repeat(LIMIT * 2) }));
    const r = await s.fetch(mcpRequest("POST", {
      body: big,
      headers: { "content-type": "application/json", accept: "application/json", "content-length": String(big.length) },
    }));
    assert.equal(r.status, 413);
    assert.equal((await jsonOf(r)).error.code, -32600);
  });

  it("413 for an oversized body without a length header (a chunked stream)", async () => {
    const request = mcpRequest("POST", {
      body: streamOf(10, 100),
      headers: { "content-type": "application/json", accept: "application/json" },
    });
    assert.equal(request.headers.get("content-length"), null);
    const r = await s.fetch(request);
    assert.equal(r.status, 413);
    assert.equal((await jsonOf(r)).error.code, -32600);
  });

  it("a body just under the limit is served", async () => {
    const body = JSON.stringify(rpc("tools/list"));
    assert.ok(body.length < LIMIT);
    const r = await post(s, body);
    assert.equal(r.status, 200);
    await r.body?.cancel();
  });

  it("a small chunked body is reassembled and served", async () => {
    const text = JSON.stringify(rpc("tools/list"));
    const parts = [text.slice(0, 5), text.slice(5, 17), text.slice(17)];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(new TextEncoder().encode(p));
        c.close();
      },
    });
    const r = await s.fetch(mcpRequest("POST", { body, headers: { "content-type": "application/json", accept: "application/json" } }));
    assert.equal(r.status, 200);
    assert.ok(Array.isArray((await jsonOf(r)).result.tools));
  });

  it("readBody: a multibyte character split across chunks decodes intact", async () => {
    const bytes = new TextEncoder().encode('"é☃"');
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 2));
        c.enqueue(bytes.slice(2, 5));
        c.enqueue(bytes.slice(5));
        c.close();
      },
    });
    const result = await readBody(new Request("http://localhost/", { method: "POST", body, duplex: "half" } as RequestInit), 100);
    assert.deepEqual(result, { ok: true, text: '"é☃"' });
  });

  it("readBody: counts bytes, not characters", async () => {
    const result = await readBody(new Request("http://localhost/", { method: "POST", body: "☃".repeat(40) }), 100);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.status, 413);
  });
});

describe("readJson (the MCP endpoint's reader: the runtime parses a body of declared length)", () => {
  const sized = (body: BodyInit, length: number) =>
    new Request("http://localhost/", {
      method: "POST",
      body,
      headers: { "content-length": String(length) },
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
  const failing = () =>
    new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"a":'));
        c.error(new Error("connection reset"));
      },
    });

  it("parses a body of declared length, and one of unknown length (chunked)", async () => {
    assert.deepEqual(await readJson(sized('{"a":[1,"é"]}', 14), 100), { ok: true, value: { a: [1, "é"] } });
    const request = new Request(
      "http://localhost/",
      { method: "POST", body: new Blob(['{"b":', "2}"]).stream(), duplex: "half" } as RequestInit,
    );
    assert.equal(request.headers.get("content-length"), null);
    assert.deepEqual(await readJson(request, 100), { ok: true, value: { b: 2 } });
  });

  it("tells a body that is not JSON (notJson) from one that could not be read", async () => {
    for (const text of ["{bad", "", "\uFEFF{}"]) {
      const r = await readJson(sized(text, new TextEncoder().encode(text).length), 100);
      assert.equal(r.ok, false, text);
      assert.equal(!r.ok && r.notJson, true, text);
      assert.equal(!r.ok && r.status, 400);
    }
    const broken = await readJson(sized(failing(), 10), 100);
    assert.equal(broken.ok, false);
    assert.equal(!broken.ok && broken.notJson, undefined);
    assert.equal(!broken.ok && broken.message, "Request body could not be read");
  });

  it("refuses a declared length over the limit before reading, and counts bytes when the length is unknown", async () => {
    assert.deepEqual(await readJson(sized("[]", 1000), 100), { ok: false, status: 413, message: "Request body exceeds 100 bytes" });
    const long = JSON.stringify("☃".repeat(40)); // 42 characters, 122 bytes
    const chunked = new Request("http://localhost/", { method: "POST", body: new Blob([long]).stream(), duplex: "half" } as RequestInit);
    assert.equal((await readJson(chunked, 100)).ok, false);
  });

  it("trusts a declared length only when it is plain digits: any other shape has the body counted as it streams", async () => {
    const big = JSON.stringify("x".repeat(200));
    for (const declared of ["+5", "0x5", "5.0", "1e1", ""]) {
      const r = await readJson(
        new Request("http://localhost/", { method: "POST", body: big, headers: { "content-length": declared } }),
        100,
      );
      assert.deepEqual(r, { ok: false, status: 413, message: "Request body exceeds 100 bytes" }, JSON.stringify(declared));
    }
    // Plain digits: the runtime enforces that framing on a real connection, so the body is parsed in one go.
    assert.deepEqual(await readJson(sized('{"a":1}', 7), 100), { ok: true, value: { a: 1 } });
  });

  it("over the MCP endpoint: invalid JSON of declared length is a -32700 parse error, an unreadable body -32600", async () => {
    const headers = { "content-type": "application/json", accept: "application/json" };
    const bad = await s.fetch(mcpRequest("POST", { body: "{nope", headers: { ...headers, "content-length": "5" } }));
    assert.equal(bad.status, 400);
    assert.equal((await jsonOf(bad)).error.code, -32700);
    const broken = await s.fetch(mcpRequest("POST", { body: failing(), headers: { ...headers, "content-length": "10" } }));
    assert.equal(broken.status, 400);
    assert.equal((await jsonOf(broken)).error.code, -32600);
    const body = JSON.stringify(rpc("tools/list"));
    const ok = await s.fetch(mcpRequest("POST", { body, headers: { ...headers, "content-length": String(body.length) } }));
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray((await jsonOf(ok)).result.tools));
  });
});

describe("readCapped (the shared capped reader for responses too)", () => {
  const streamOf = (...parts: string[]) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(new TextEncoder().encode(p));
        c.close();
      },
    });

  it("cuts off a response of unknown length past the limit, and refuses a declared one up front", async () => {
    assert.deepEqual(await readCapped(new Response(streamOf("abc", "def")), 5), { ok: false, reason: "too_large" });
    assert.deepEqual(await readCapped(new Response(streamOf("abc", "de")), 5), { ok: true, text: "abcde" });
    assert.deepEqual(await readCapped(new Response("x".repeat(10), { headers: { "content-length": "10" } }), 5), {
      ok: false,
      reason: "too_large",
    });
    assert.deepEqual(await readCapped(new Response(null), 5), { ok: true, text: "" });
  });

  it("with fatal decoding refuses invalid UTF-8 instead of replacing it", async () => {
    const bad = new Uint8Array([0x7b, 0xff, 0x7d]);
    assert.deepEqual(await readCapped(new Response(bad), 10, { fatal: true }), { ok: false, reason: "unreadable" });
    assert.equal((await readCapped(new Response(bad), 10)).ok, true);
  });
});
