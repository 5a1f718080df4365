/**
 * @module Bench harness: serves one entry (`servers/<name>.ts`, exporting `fetch`) on 127.0.0.1:$PORT
 * with the runtime's own server (`Bun.serve` / `Deno.serve`), the same way for every entry.
 * Usage: `bun scripts/bench/serve.ts <entry>` / `deno run -A scripts/bench/serve.ts <entry>`.
 */
type Fetch = (request: Request, info?: unknown) => Response | Promise<Response>;
const g = globalThis as unknown as {
  Deno?: { args: string[]; env: { get(k: string): string | undefined }; serve: (o: object, f: Fetch) => unknown };
  Bun?: { argv: string[]; env: Record<string, string | undefined>; serve: (o: object) => unknown };
};
const name = g.Deno ? g.Deno.args[0] : g.Bun!.argv[2];
const port = Number((g.Deno ? g.Deno.env.get("PORT") : g.Bun!.env.PORT) ?? "8000");
if (!/^[a-z0-9-]+$/.test(name ?? "")) throw new Error("usage: serve.ts <entry>");
const { fetch } = await import(`./servers/${name}.ts`) as { fetch: Fetch };

if (g.Deno) {
  g.Deno.serve({ port, hostname: "127.0.0.1", onListen: () => console.log(`bench: ${name} listening on ${port}`) }, fetch);
} else {
  g.Bun!.serve({ port, hostname: "127.0.0.1", fetch });
  console.log(`bench: ${name} listening on ${port}`);
}
