/**
 * @module The demo server over stdio: `bun run src/stdio.ts` or `deno run -A src/stdio.ts` (for clients that launch servers as a subprocess).
 */
import { createServer } from "./server.ts";
import { demo } from "./demo.ts";
import { processStdio } from "./runtime/stdio.ts";
import { exit } from "./runtime/entry.ts";

await createServer(demo).serveStdio(processStdio());
exit(0);
