// src/main.ts and everything it imports compiled to JavaScript with the npm build's settings
// (tsconfig.build.json): what Deno loads from the npm package, where `deno serve src/main.ts` loads
// TypeScript. Shared by the bench's cold start (run.mjs) and its counted twin (cold-instructions.mjs).
import { spawnSync } from "node:child_process";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Builds `<checkout>/src/main.ts` into a fresh temporary directory and returns that directory; the
 * entry is `<dir>/dist/main.js`. Its imports of "zod" resolve, as in an installed package, from a
 * node_modules beside it (a link to `nodeModules`). The caller removes the directory.
 */
export function buildMainJs(checkout, nodeModules) {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-built-"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: join(checkout, "tsconfig.build.json"),
      compilerOptions: {
        outDir: join(dir, "dist"),
        rootDir: join(checkout, "src"),
        declaration: false,
        typeRoots: [join(nodeModules, "@types")],
      },
      include: [join(checkout, "src", "main.ts")],
    }),
  );
  const r = spawnSync(join(nodeModules, ".bin", "tsc"), ["-p", join(dir, "tsconfig.json")], { cwd: checkout, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tsc failed for ${checkout}: ${r.stdout}${r.stderr}`);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  symlinkSync(nodeModules, join(dir, "node_modules"), "dir");
  return dir;
}
