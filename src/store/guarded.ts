/**
 * @module Bounds every store call in time and names its failure, so a store that throws or hangs becomes a 503 with Retry-After instead of a 500 or a hung request.
 */
import type { KV } from "./kv.ts";

/** The store failed or did not answer in time; the request may be retried. */
export class StoreUnavailableError extends Error {
  readonly code = "StoreUnavailable";
  constructor(operation: string, cause?: unknown) {
    super(`store ${operation} failed${cause instanceof Error ? `: ${cause.message}` : ""}`);
    this.name = "StoreUnavailableError";
  }
}

/** Wraps a store: each call fails with StoreUnavailableError after `timeoutMs` or when the backend throws. */
export function guardedStore(inner: KV, timeoutMs = 5_000): KV {
  const guard = <T>(operation: string, run: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StoreUnavailableError(`${operation} (no answer within ${timeoutMs} ms)`)), timeoutMs);
      let pending: Promise<T>;
      try {
        pending = run();
      } catch (error) {
        clearTimeout(timer);
        reject(error instanceof TypeError ? error : new StoreUnavailableError(operation, error));
        return;
      }
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error) => {
          clearTimeout(timer);
          // A TypeError is the caller's mistake (an unstorable value), not an outage.
          reject(error instanceof TypeError ? error : new StoreUnavailableError(operation, error));
        },
      );
    });
  return {
    ...(inner.local && { local: inner.local }),
    get: (key) => guard("get", () => inner.get(key)),
    set: (key, value, options) => guard("set", () => inner.set(key, value, options)),
    delete: (key) => guard("delete", () => inner.delete(key)),
    take: (key) => guard("take", () => inner.take(key)),
    update: (key, fn, options) => guard("update", () => inner.update(key, fn, options)),
    list: (prefix, options) => guard("list", () => inner.list(prefix, options)),
    close: () => inner.close(),
  };
}
