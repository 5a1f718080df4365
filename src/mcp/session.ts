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
  /** Idle lifetime of a session record (default 24 h). */
  ttlMs?: number;
}

export function createSessions({ store, ttlMs = 24 * 3600_000 }: SessionsOptions) {
  const local = new Map<string, SessionRuntime>();
  const key = (id: string) => ["mcp-session", id] as const;

  return {
    local,
    async create(record: SessionRecord): Promise<SessionRuntime> {
      await store.set(key(record.id), record, { ttlMs });
      const runtime = { record };
      local.set(record.id, runtime);
      return runtime;
    },
    /** Local first (no store round trip on the hot path), then the shared store. */
    async get(id: string): Promise<SessionRuntime | undefined> {
      const hit = local.get(id);
      if (hit) return hit;
      const record = await store.get<SessionRecord>(key(id));
      if (!record) return undefined;
      const runtime = { record };
      local.set(id, runtime);
      return runtime;
    },
    async save(runtime: SessionRuntime): Promise<void> {
      await store.set(key(runtime.record.id), runtime.record, { ttlMs });
    },
    async delete(id: string): Promise<void> {
      const runtime = local.get(id);
      runtime?.getStream?.close();
      local.delete(id);
      await store.delete(key(id));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
