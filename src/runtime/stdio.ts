/**
 * @module The process's stdin/stdout as a StdioChannel, on Deno or Bun.
 */
import type { StdioChannel } from "../mcp/stdio.ts";

export function processStdio(): StdioChannel {
  const g = globalThis as {
    Deno?: { stdin: { readable: ReadableStream<Uint8Array> }; stdout: { writeSync(b: Uint8Array): number } };
    Bun?: { stdin: { stream(): ReadableStream<Uint8Array> }; stdout: { writer(): { write(s: string): void; flush(): void } } };
  };
  const encoder = new TextEncoder();
  if (g.Deno) {
    const out = g.Deno.stdout;
    return {
      readable: g.Deno.stdin.readable,
      write(line) {
        const bytes = encoder.encode(line);
        for (let off = 0; off < bytes.length;) off += out.writeSync(bytes.subarray(off));
      },
    };
  }
  if (g.Bun) {
    const writer = g.Bun.stdout.writer();
    return {
      readable: g.Bun.stdin.stream(),
      write(line) {
        writer.write(line);
        writer.flush();
      },
    };
  }
  throw new Error("stdio needs Deno or Bun");
}
