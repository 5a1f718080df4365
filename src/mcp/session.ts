/**
 * @module 2025-era sessions (`Mcp-Session-Id`): the record lives in the store so any instance can serve it; streams and in-flight work stay local.
 */
import type { KV } from "../store/kv.ts";
import type { LogLevel } from "./context.ts";
import type { SseStream } from "./sse.ts";

export interface SessionRecord {
  id: string;
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  clientInfo?: Record<string, unknown>;
  logLevel?: LogLevel;
  subscriptions: string[];
  /** Who opened the session (credential fingerprint or subject); another caller gets 404. */
  owner?: string;
  createdAt: number;
}

/** What only this instance holds for a session. */
export interface SessionRuntime {
  record: SessionRecord;
  /** The standalone GET stream for server-initiated messages. */
  getStream?: SseStream;
}

export interface SessionsOptions {
  store: KV;
  /** Lifetime of a session record, renewed whenever it is saved (default 24 h). */
  ttlMs?: number;
  /** Sessions kept in this process's cache (default 10,000); the store keeps them all. */
  maxLocal?: number;
}

export function createSessions({ store, ttlMs = 24 * 3600_000, maxLocal = 10_000 }: SessionsOptions) {
  const local = new Map<string, SessionRuntime>();
  const key = (id: string) => ["mcp-session", id] as const;
  const expiresAt = new Map<string, number>();
  /** Keeps the cache bounded: drops the oldest entries that have no open stream (the store still has them). */
  const remember = (runtime: SessionRuntime) => {
    local.set(runtime.record.id, runtime);
    expiresAt.set(runtime.record.id, Date.now() + ttlMs);
    if (local.size <= maxLocal) return;
    for (const [id, r] of local) {
      if (local.size <= maxLocal) break;
      if (r.getStream && !r.getStream.closed) continue;
      local.delete(id);
      expiresAt.delete(id);
    }
  };

  return {
    local,
    async create(record: SessionRecord): Promise<SessionRuntime> {
      await store.set(key(record.id), record, { ttlMs });
      const runtime = { record };
      remember(runtime);
      return runtime;
    },
    /** Local first (no store round trip on the hot path), then the shared store. */
    async get(id: string): Promise<SessionRuntime | undefined> {
      const hit = local.get(id);
      if (hit && (expiresAt.get(id) ?? 0) > Date.now()) return hit;
      const record = await store.get<SessionRecord>(key(id));
      if (!record) {
        local.delete(id);
        expiresAt.delete(id);
        return undefined;
      }
      // Another instance may have changed it (DELETE there, setLevel): the store's copy wins.
      const runtime = hit ? Object.assign(hit, { record }) : { record };
      remember(runtime);
      return runtime;
    },
    async save(runtime: SessionRuntime): Promise<void> {
      await store.set(key(runtime.record.id), runtime.record, { ttlMs });
      expiresAt.set(runtime.record.id, Date.now() + ttlMs);
    },
    async delete(id: string): Promise<void> {
      const runtime = local.get(id);
      runtime?.getStream?.close();
      local.delete(id);
      expiresAt.delete(id);
      await store.delete(key(id));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
