// A port the OS just handed out on 127.0.0.1, for the scripts and tests that start servers (soak,
// cold-start counting, tests/helpers/processes.ts).
import { createServer } from "node:net";

/** Resolves to a free port on 127.0.0.1 (the probe is closed again before it resolves). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
