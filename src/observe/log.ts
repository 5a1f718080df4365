/**
 * @module Gatehouse's own log lines: JSON, one per line, with a level; pluggable, and never carrying a secret (callers pass messages and ids, not credentials).
 */

/**
 * Severity of Gatehouse's own log lines (`LOG_LEVEL`), least severe first. Not the MCP log level
 * sent to clients (that is {@link LogLevel}).
 *
 * @example
 * ```ts
 * import { jsonLogger, type Level } from "gatehouse";
 *
 * const level: Level = "warn";
 * const logger = jsonLogger({ level });
 * ```
 */
export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * One line of {@link jsonLogger} output: ISO `time`, `level`, `msg`, and the fields the caller
 * passed (request ids, paths, an error's message; never a stack trace or a credential).
 *
 * @example
 * ```ts
 * import { jsonLogger, type LogRecord } from "gatehouse";
 *
 * const records: LogRecord[] = [];
 * const logger = jsonLogger({ level: "debug", write: (line) => records.push(JSON.parse(line) as LogRecord) });
 * logger.log("info", "started", { port: 8000 });
 * ```
 */
export interface LogRecord {
  time: string;
  level: Level;
  msg: string;
  [field: string]: unknown;
}

/**
 * Where Gatehouse writes its own operational log lines (store outages, failed handlers, unhandled
 * errors) via `createServer({ logger })`. `log` must not throw; it is called synchronously.
 *
 * @example
 * ```ts
 * import { createServer, type Logger } from "gatehouse";
 *
 * const logger: Logger = {
 *   log: (level, msg, fields) => console.log(`[${level}] ${msg}`, fields ?? {}),
 * };
 * createServer({ name: "demo", version: "1.0.0", logger });
 * ```
 */
export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
}

/**
 * A {@link Logger} writing one JSON {@link LogRecord} per line for levels at or above `level`
 * (default `info`) through `write` (default standard error, so it never mixes with a stdio
 * transport's protocol stream on standard output). A `write` that throws is ignored. The default
 * logger of `createServer`.
 *
 * @example
 * ```ts
 * import { createServer, jsonLogger } from "gatehouse";
 *
 * createServer({ name: "demo", version: "1.0.0", logger: jsonLogger({ level: "debug" }) });
 * ```
 */
export function jsonLogger(options: { level?: Level; write?: (line: string) => void } = {}): Logger {
  const min = ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => console.error(line));
  return {
    log(level, msg, fields) {
      if (ORDER[level] < min) return;
      const record: LogRecord = { time: new Date().toISOString(), level, msg, ...fields };
      try {
        write(JSON.stringify(record));
      } catch { /* a logger never breaks a request */ }
    },
  };
}

/**
 * A {@link Logger} that drops everything: for tests, or when the host logs by itself.
 *
 * @example
 * ```ts
 * import { createServer, silentLogger } from "gatehouse";
 *
 * createServer({ name: "quiet", version: "1.0.0", logger: silentLogger });
 * ```
 */
export const silentLogger: Logger = { log: () => {} };

/** An error's message only: stack traces stay out of logs that may be shipped elsewhere. */
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
