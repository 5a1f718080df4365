// A port the OS just handed out on 127.0.0.1, for the scripts that start servers (soak, cold-start
// counting); the tests have their own typed copy in tests/helpers/processes.ts.
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
