/** The fast path reader must never disagree with the URL parser: it answers the same, or defers to it. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pathnameOf, requestContext } from "../../src/http/pipeline.ts";

const cases = [
  "http://localhost:8000/mcp",
  "http://localhost:8000/mcp?x=1",
  "http://localhost:8000/mcp#frag",
  "http://localhost:8000/mcp/",
  "http://localhost:8000",
  "http://localhost:8000?q",
  "https://example.com/tools/echo",
  "http://localhost:8000/a/../mcp",
  "http://localhost:8000/%6Dcp",
  "http://localhost:8000/.well-known/oauth-protected-resource/mcp",
  "http://user:pw@localhost:8000/mcp",
  "http://localhost:8000//mcp",
  "http://localhost:8000/mcp\\..\\x",
  "http://[::1]:8000/mcp",
  "http://localhost:8000/ünï",
];

describe("pathnameOf", () => {
  it("agrees with new URL().pathname whenever it answers", () => {
    for (const url of cases) {
      const fast = pathnameOf(url);
      if (fast !== undefined) assert.equal(fast, new URL(url).pathname, url);
    }
  });

  it("answers the common case without parsing, and defers on anything normalisable", () => {
    assert.equal(pathnameOf("http://localhost:8000/mcp?x=1"), "/mcp");
    assert.equal(pathnameOf("http://localhost:8000"), "/");
    assert.equal(pathnameOf("http://localhost:8000/a/../mcp"), undefined);
    assert.equal(pathnameOf("http://localhost:8000/%6Dcp"), undefined);
  });

  it("remembers only the last URL: alternating URLs, safe and not, each get their own answer", () => {
    for (let round = 0; round < 3; round++) {
      for (const url of cases) {
        const fast = pathnameOf(url);
        const again = pathnameOf(url);
        assert.equal(again, fast, url);
        if (fast !== undefined) assert.equal(fast, new URL(url).pathname, url);
      }
    }
    assert.equal(pathnameOf("http://localhost:8000/mcp"), "/mcp");
    assert.equal(
      pathnameOf("http://localhost:8000/a/../mcp"),
      undefined,
      "an unsafe URL after a cached one is not answered from the cache",
    );
    assert.equal(pathnameOf("http://localhost:8000/health"), "/health");
  });

  it("the request context always carries the parser's path", () => {
    for (const url of cases) {
      let request: Request;
      try {
        request = new Request(url);
      } catch {
        continue;
      }
      assert.equal(requestContext(request, {}, "t").pathname, new URL(request.url).pathname, url);
    }
  });
});
