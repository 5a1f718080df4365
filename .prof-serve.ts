Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
await import("./scripts/bench/serve.ts");
