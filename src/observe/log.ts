/**
 * @module Gatehouse's own log lines: JSON, one per line, with a level; pluggable, and never carrying a secret (callers pass messages and ids, not credentials).
 */

export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LogRecord {
  time: string;
  level: Level;
  msg: string;
  [field: string]: unknown;
}

export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
}

/**
 * JSON lines at or above `level` (default `info`) to `write` (default: standard error, so they do
 * not mix with a stdio transport's protocol stream on standard output).
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

/** Drops everything (tests, or when the host logs by itself). */
export const silentLogger: Logger = { log: () => {} };

/** An error's message only: stack traces stay out of logs that may be shipped elsewhere. */
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
