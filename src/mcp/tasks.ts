/**
 * @module The tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663): task records in the store, `tasks/get`/`tasks/update`/`tasks/cancel`, leases, TTLs and status notifications.
 *
 * A task is a durable state machine in the store (`["task", taskId]`), so any instance sharing the
 * store answers `tasks/get`, and a restart with a persistent store keeps every task. Execution
 * follows the Multi Round-Trip model: when the handler asks for input, the task parks in
 * `input_required` (nothing stays in memory), and the instance that receives the `tasks/update`
 * completing the answers runs the handler again from the top with every answer collected so far.
 * So a parked task can be picked up by any instance, even after a restart.
 *
 * A running task holds a lease it renews every `heartbeatMs`; the same atomic write tells the
 * runner when the task was cancelled elsewhere. A task whose lease ran out (its instance died)
 * reads as `failed`.
 *
 * Every task is bound to the identity that created it. For anyone else it does not exist: the
 * same -32602 as an unknown id, with no hint that the id is taken.
 */
import type { KV } from "../store/kv.ts";
import type { Identity } from "../auth/identity.ts";
import type { RequestContext } from "../http/pipeline.ts";
import type { HandlerContext } from "./context.ts";
import { ErrorCode, McpError } from "./jsonrpc.ts";
import { randomToken } from "../crypto/random.ts";

/**
 * The tasks extension's identifier, `io.modelcontextprotocol/tasks`, as clients and servers declare
 * it under `capabilities.extensions`. A call becomes a task only for a 2026-07-28 request whose client
 * capabilities declare it.
 *
 * @example
 * ```ts
 * import { TASKS_EXTENSION } from "gatehouse";
 *
 * const capabilities = { extensions: { [TASKS_EXTENSION]: {} } }; // what a client sends in _meta
 * ```
 */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/**
 * How a tool relates to tasks: `"optional"` runs as a task when the client negotiated the extension
 * and as a normal call otherwise; `"required"` refuses clients that did not, with -32021.
 *
 * @example
 * ```ts
 * import { defineTool, type TaskSupport } from "gatehouse";
 *
 * const support: TaskSupport = "optional";
 * const exportAll = defineTool({ name: "export_all", task: support, handler: async () => "exported" });
 * ```
 */
export type TaskSupport = "optional" | "required";

/**
 * A tool's `task` declaration: a {@link TaskSupport}, or `{ support, start }`. With `start: "call"`
 * (the default) the whole call is a task from the start; with `start: "handler"` the call runs
 * normally (MRTR questions included) until the handler returns `runAsTask(work)`, and only `work` runs
 * as a task. Without `start: "handler"`, a returned `runAsTask(work)` simply runs `work` inline.
 *
 * @example
 * ```ts
 * import { defineTool, runAsTask, type ToolTaskOption } from "gatehouse";
 *
 * const task: ToolTaskOption = { support: "optional", start: "handler" };
 * const backup = defineTool({
 *   name: "backup",
 *   task,
 *   handler: (_args, context) => runAsTask(async () => `backed up for ${context.auth?.subject ?? "anonymous"}`),
 * });
 * ```
 */
export type ToolTaskOption = TaskSupport | { support: TaskSupport; start?: "call" | "handler" };

/**
 * `createServer({ tasks })` (or `tasks: true` for these defaults). Tasks live in the server's store,
 * so every instance sharing it can answer `tasks/get`, `tasks/update` and `tasks/cancel`, and a
 * persistent store keeps them across restarts. A running task renews a lease every `heartbeatMs`; a
 * task whose lease ran out (for 5 heartbeats: its instance died) reads as failed.
 *
 * @example
 * ```ts
 * import { createServer, defineTool } from "gatehouse";
 *
 * const report = defineTool({ name: "report", task: "optional", handler: async () => "the report" });
 *
 * createServer({
 *   name: "reports",
 *   version: "1.0.0",
 *   tools: [report],
 *   tasks: { ttlMs: 24 * 60 * 60_000, pollIntervalMs: 2000 },
 * });
 * ```
 */
export interface TaskSettings {
  /** How long a task (and its result) stays retrievable after creation (default 1 hour). */
  ttlMs?: number;
  /** The polling interval suggested to clients (default 1000 ms). */
  pollIntervalMs?: number;
  /** How often a running task renews its lease and looks for a cancellation made elsewhere (default 1000 ms). */
  heartbeatMs?: number;
}

/**
 * A task's state: `working`, `input_required` (waiting for `tasks/update` with the answers), then one
 * of the terminal `completed`, `failed` or `cancelled`.
 *
 * @example
 * ```ts
 * import type { TaskStatus } from "gatehouse";
 *
 * const isTerminal = (status: TaskStatus) => status === "completed" || status === "failed" || status === "cancelled";
 * ```
 */
export type TaskStatus = "working" | "input_required" | "completed" | "failed" | "cancelled";
const TERMINAL: ReadonlySet<TaskStatus> = new Set(["completed", "failed", "cancelled"]);

export type InputRequest = { method: string; params: Record<string, unknown> };
export interface TaskError {
  code: number;
  message: string;
  data?: unknown;
}

/** What the store holds for one task. */
export interface TaskRecord {
  taskId: string;
  /** Who may see it (see {@link taskOwner}). */
  owner: string;
  tool: string;
  arguments: unknown;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: number;
  lastUpdatedAt: number;
  expiresAt: number;
  ttlMs: number;
  pollIntervalMs: number;
  /** The request envelope the handler runs under again on every attempt. */
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  requestId: string | number;
  /** Answers collected so far (MRTR phase included), by input key. */
  answers: Record<string, unknown>;
  round: number;
  /** Questions still unanswered, while `input_required`. */
  inputRequests?: Record<string, InputRequest>;
  result?: Record<string, unknown>;
  error?: TaskError;
  /** The current attempt, and until when its instance vouches for it. */
  runId?: string;
  leaseUntil?: number;
}

/** What one run of a task's handler came to. */
export type TaskOutcome =
  | { result: Record<string, unknown> }
  | { inputRequests: Record<string, InputRequest> }
  | { error: TaskError };

/** Runs a task's handler once, from the top, with the answers in the record (supplied by the dispatcher). */
export type TaskExecutor = (
  record: TaskRecord,
  http: RequestContext,
  signal: AbortSignal,
  setStatusMessage: (m: string) => void,
) => Promise<TaskOutcome>;

/** A listener for `notifications/tasks` (a 2026-07-28 `subscriptions/listen` stream). */
export interface TaskListener {
  owner: string;
  taskIds: ReadonlySet<string>;
  send(params: Record<string, unknown>): void;
}

/**
 * Who owns a task: the strategy, the OAuth client and the subject (else the credential's
 * fingerprint). Anonymous callers (`none`) share one owner; their task ids are unguessable tokens.
 */
export function taskOwner(auth: Identity | null): string {
  if (!auth) return "anonymous";
  return JSON.stringify([auth.strategy, auth.clientId ?? null, auth.subject ?? auth.credentialId ?? null]);
}

/** Whether a request's capabilities declare the tasks extension (per request, SEP-2575). */
export function clientSupportsTasks(capabilities: Record<string, unknown>): boolean {
  const extensions = capabilities.extensions;
  return typeof extensions === "object" && extensions !== null && TASKS_EXTENSION in extensions;
}

/** -32021 naming the extension, for task methods or a task-required tool from a client without it. */
export function missingTasksCapability(what: string): McpError {
  return new McpError(-32021, `${what} needs the client capability extensions["${TASKS_EXTENSION}"]`, {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
}

const HANDOFF = Symbol.for("gatehouse.taskHandoff");

/**
 * What {@link runAsTask} returns: a marker a tool handler returns to say "continue as a task from
 * here". Only meaningful as a handler's return value; build it with `runAsTask`, never by hand.
 *
 * @example
 * ```ts
 * import { defineTool, runAsTask, type TaskHandoff } from "gatehouse";
 *
 * const later = (): TaskHandoff<string> => runAsTask(async () => "finished later");
 * const job = defineTool({ name: "job", task: { support: "optional", start: "handler" }, handler: () => later() });
 * ```
 */
export interface TaskHandoff<T = unknown> {
  readonly [HANDOFF]: true;
  readonly work: (context: HandlerContext) => T | Promise<T>;
}

/**
 * Returned from a tool handler: the rest of the call (`work`) runs as a task when the tool declares
 * `task: { support, start: "handler" }` and the client negotiated the tasks extension, and inline
 * otherwise. Everything before it (MRTR questions included) ran synchronously; when the task resumes
 * after asking for input, the handler runs again from the top with the earlier answers already there,
 * so the code before `runAsTask` must be safe to repeat.
 *
 * @example
 * ```ts
 * import { createServer, defineTool, runAsTask } from "gatehouse";
 *
 * const report = defineTool({
 *   name: "report",
 *   task: { support: "optional", start: "handler" },
 *   handler: async (_args, ctx) => {
 *     const who = await ctx.elicit({ message: "Name?" }, { key: "user_name" });
 *     return runAsTask(async () => `Report for ${String(who.content?.name ?? "nobody")}`);
 *   },
 * });
 *
 * createServer({ name: "reports", version: "1.0.0", tools: [report], tasks: true });
 * ```
 */
export function runAsTask<T>(work: (context: HandlerContext) => T | Promise<T>): TaskHandoff<T> {
  return { [HANDOFF]: true, work };
}

export const isTaskHandoff = (v: unknown): v is TaskHandoff =>
  typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[HANDOFF] === true;

const iso = (ms: number) => new Date(ms).toISOString();
const unknownTask = () => new McpError(ErrorCode.InvalidParams, "Unknown task (it expired, or never existed)");

/** The `Task` fields every task message carries (SEP-2663: `ttlMs`/`pollIntervalMs`, integer milliseconds). */
function taskFields(r: TaskRecord): Record<string, unknown> {
  return {
    taskId: r.taskId,
    status: r.status,
    ...(r.statusMessage !== undefined && { statusMessage: r.statusMessage }),
    createdAt: iso(r.createdAt),
    lastUpdatedAt: iso(r.lastUpdatedAt),
    ttlMs: r.ttlMs,
    pollIntervalMs: r.pollIntervalMs,
  };
}

/** `tasks/get`: the task plus what its status carries (result, error, or the open questions). */
export function detailedTask(r: TaskRecord): Record<string, unknown> {
  return {
    ...taskFields(r),
    ...(r.status === "completed" && r.result && { result: r.result }),
    ...(r.status === "failed" && r.error && { error: r.error }),
    ...(r.status === "input_required" && r.inputRequests && { inputRequests: r.inputRequests }),
  };
}

export interface TaskEngineOptions {
  store: KV;
  settings: TaskSettings;
  execute: TaskExecutor;
}

export interface NewTask {
  owner: string;
  tool: string;
  arguments: unknown;
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  requestId: string | number;
  answers: Record<string, unknown>;
  round: number;
  http: RequestContext;
}

export function createTaskEngine(o: TaskEngineOptions) {
  const { store, execute } = o;
  const ttlMs = Math.max(1, Math.floor(o.settings.ttlMs ?? 60 * 60_000));
  const pollIntervalMs = Math.max(1, Math.floor(o.settings.pollIntervalMs ?? 1000));
  const heartbeatMs = Math.max(10, o.settings.heartbeatMs ?? 1000);
  const leaseMs = heartbeatMs * 5;
  const key = (taskId: string) => ["task", taskId] as const;
  /** Runs on this instance, for an immediate abort when the cancel arrives here. */
  const running = new Map<string, AbortController>();
  const listeners = new Set<TaskListener>();

  /**
   * Atomic read-modify-write of a live task; `fn` returns undefined to leave it as it is. The
   * store entry expires with the task (`expiresAt` never changes after creation).
   */
  async function change(
    r: Pick<TaskRecord, "taskId" | "expiresAt">,
    fn: (c: TaskRecord) => TaskRecord | undefined,
  ): Promise<{ record?: TaskRecord; changed: boolean }> {
    let changed = false;
    const record = await store.update<TaskRecord>(key(r.taskId), (current) => {
      changed = false;
      if (!current || current.expiresAt <= Date.now()) return current;
      const next = fn(current);
      if (!next) return current;
      changed = true;
      return next;
    }, { ttlMs: Math.max(1, r.expiresAt - Date.now()) });
    return { record, changed };
  }

  function publish(r: TaskRecord): void {
    if (listeners.size === 0) return;
    const params = detailedTask(r);
    for (const l of listeners) if (l.owner === r.owner && l.taskIds.has(r.taskId)) l.send(params);
  }

  /** Reads a task for its owner; anyone else (and an expired task) gets the unknown-task error. */
  async function read(owner: string, taskId: string): Promise<TaskRecord> {
    const r = await store.get<TaskRecord>(key(taskId));
    if (!r || r.owner !== owner || r.expiresAt <= Date.now()) throw unknownTask();
    if (r.status === "working" && r.leaseUntil !== undefined && r.leaseUntil < Date.now()) {
      // Its instance stopped renewing the lease: the run is lost, and we say so rather than spin forever.
      const lost = await change(
        r,
        (c) =>
          c.status === "working" && c.runId === r.runId
            ? {
              ...c,
              status: "failed",
              error: { code: ErrorCode.InternalError, message: "The server instance running this task stopped before it finished" },
              runId: undefined,
              leaseUntil: undefined,
              lastUpdatedAt: Date.now(),
            }
            : undefined,
      );
      if (lost.changed && lost.record) publish(lost.record);
      return lost.record ?? r;
    }
    return r;
  }

  /** Starts one attempt of a task already marked `working` with this `runId`. */
  function run(record: TaskRecord, http: RequestContext): void {
    const runId = record.runId!;
    const controller = new AbortController();
    running.set(record.taskId, controller);
    const heartbeat = setInterval(async () => {
      try {
        const now = Date.now();
        const { record: current } = await change(
          record,
          (c) => c.runId === runId && c.status === "working" ? { ...c, leaseUntil: now + leaseMs } : undefined,
        );
        if (!current || current.runId !== runId || current.status !== "working" || current.expiresAt <= now) controller.abort();
      } catch { /* the store is down: keep running, the next beat tries again */ }
    }, heartbeatMs);
    // The heartbeat must not hold the process open at shutdown.
    (heartbeat as { unref?: () => void }).unref?.();
    const setStatusMessage = (message: string) => {
      void change(
        record,
        (c) => c.runId === runId && c.status === "working" ? { ...c, statusMessage: message, lastUpdatedAt: Date.now() } : undefined,
      )
        .then((x) => x.changed && x.record && publish(x.record)).catch(() => {});
    };
    const done = (async () => {
      let outcome: TaskOutcome;
      try {
        outcome = await execute(record, http, controller.signal, setStatusMessage);
      } catch (error) {
        outcome = { error: { code: ErrorCode.InternalError, message: error instanceof Error ? error.message : String(error) } };
      }
      clearInterval(heartbeat);
      running.delete(record.taskId);
      // Only the current attempt of a live task may settle it: a cancel (or a newer attempt) wins.
      const settled = await change(record, (c) => {
        if (c.runId !== runId || c.status !== "working") return undefined;
        const base = { ...c, runId: undefined, leaseUntil: undefined, lastUpdatedAt: Date.now(), statusMessage: undefined };
        if ("result" in outcome) return { ...base, status: "completed", result: outcome.result };
        if ("error" in outcome) return { ...base, status: "failed", error: outcome.error };
        return { ...base, status: "input_required", inputRequests: outcome.inputRequests, round: c.round + 1 };
      });
      if (settled.changed && settled.record) publish(settled.record);
    })().catch((error) => console.error("[gatehouse] task settle failed:", error instanceof Error ? error.message : error));
    // Platforms that stop work when the response is sent (Workers, Deploy) keep it alive this way.
    http.info.waitUntil?.(done);
  }

  return {
    /** Creates the task durably (a `tasks/get` right after the answer finds it), starts it, and returns the CreateTaskResult. */
    async create(t: NewTask): Promise<Record<string, unknown>> {
      const now = Date.now();
      const record: TaskRecord = {
        taskId: randomToken(24),
        owner: t.owner,
        tool: t.tool,
        arguments: t.arguments,
        status: "working",
        createdAt: now,
        lastUpdatedAt: now,
        expiresAt: now + ttlMs,
        ttlMs,
        pollIntervalMs,
        protocolVersion: t.protocolVersion,
        clientCapabilities: t.clientCapabilities,
        requestId: t.requestId,
        answers: t.answers,
        round: t.round,
        runId: randomToken(12),
        leaseUntil: now + leaseMs,
      };
      await store.set(key(record.taskId), record, { ttlMs });
      run(record, t.http);
      return { resultType: "task", ...taskFields(record) };
    },

    async get(owner: string, taskId: string): Promise<Record<string, unknown>> {
      return detailedTask(await read(owner, taskId));
    },

    /**
     * Delivers answers. Keys that match an open question are taken, others ignored; once nothing
     * is left open, this instance runs the handler again with every answer.
     */
    async update(owner: string, taskId: string, responses: Record<string, unknown>, http: RequestContext): Promise<void> {
      const found = await read(owner, taskId);
      const runId = randomToken(12);
      const { record, changed } = await change(found, (c) => {
        if (c.owner !== owner || c.status !== "input_required" || !c.inputRequests) return undefined;
        const taken = Object.keys(responses).filter((k) => Object.hasOwn(c.inputRequests!, k));
        if (taken.length === 0) return undefined;
        const answers = { ...c.answers };
        const open = { ...c.inputRequests };
        for (const k of taken) {
          answers[k] = responses[k];
          delete open[k];
        }
        const now = Date.now();
        if (Object.keys(open).length > 0) return { ...c, answers, inputRequests: open, lastUpdatedAt: now };
        return { ...c, answers, inputRequests: undefined, status: "working", runId, leaseUntil: now + leaseMs, lastUpdatedAt: now };
      });
      if (!changed || !record) return;
      publish(record);
      // Exactly one updater moves the task back to working (the atomic write above); it runs it.
      if (record.status === "working" && record.runId === runId) run(record, http);
    },

    /** Cancels a live task (idempotent: a terminal task stays as it is). */
    async cancel(owner: string, taskId: string): Promise<void> {
      const found = await read(owner, taskId);
      const { record, changed } = await change(
        found,
        (c) =>
          c.owner === owner && !TERMINAL.has(c.status)
            ? { ...c, status: "cancelled", inputRequests: undefined, runId: undefined, leaseUntil: undefined, lastUpdatedAt: Date.now() }
            : undefined,
      );
      running.get(taskId)?.abort();
      if (changed && record) publish(record);
    },

    /** Adds a `notifications/tasks` listener; returns its removal. */
    listen(listener: TaskListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type TaskEngine = ReturnType<typeof createTaskEngine>;
