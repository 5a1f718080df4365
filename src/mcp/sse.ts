/**
 * @module Server-Sent Events streams that survive a dropped connection: every event is numbered and kept until the stream ends, so a client can resume with `Last-Event-ID`.
 */

import { unrefTimer } from "../runtime/timers.ts";

const encoder = new TextEncoder();

export interface SseEvent {
  id: string;
  data: string;
}

/**
 * One logical stream (a POST's response stream, or a session's GET stream). The HTTP connection
 * attached to it may come and go; events written while none is attached are replayed on resume.
 */
export class SseStream {
  private seq = 0;
  private readonly events: SseEvent[] = [];
  private sink?: ReadableStreamDefaultController<Uint8Array>;
  private keepAlive?: ReturnType<typeof setInterval>;
  closed = false;
  /** Called when the logical stream ends. */
  onClose?: () => void;
  /** Called when the client drops the connection (the stream itself may go on). */
  onDisconnect?: () => void;

  readonly id: string;
  private readonly maxBuffered: number;

  constructor(id: string, maxBuffered = 1000) {
    this.id = id;
    this.maxBuffered = maxBuffered;
  }

  /** Writes one JSON-RPC message as an event (kept for replay, sent if a connection is attached). */
  send(message: unknown): void {
    if (this.closed) return;
    const event = { id: `${this.id}_${++this.seq}`, data: JSON.stringify(message) };
    this.events.push(event);
    if (this.events.length > this.maxBuffered) this.events.shift();
    this.write(`id: ${event.id}\ndata: ${event.data}\n\n`);
  }

  /** Attaches a new HTTP connection, replaying what came after `lastEventId` (SSE resumability). */
  attach(lastEventId?: string, options: { prime?: boolean; retryMs?: number } = {}): Response {
    this.detach();
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.sink = controller;
        // A priming event with an id lets the client resume even before the first message (SEP-1699).
        if (options.prime) this.write(`${options.retryMs ? `retry: ${options.retryMs}\n` : ""}id: ${this.id}_${this.seq}\ndata: \n\n`);
        const after = lastEventId ? Number(lastEventId.slice(lastEventId.lastIndexOf("_") + 1)) : 0;
        for (const e of this.events) {
          if (Number(e.id.slice(e.id.lastIndexOf("_") + 1)) > after) this.write(`id: ${e.id}\ndata: ${e.data}\n\n`);
        }
        if (this.closed) this.endConnection();
        else {
          this.keepAlive = setInterval(() => this.write(": keep-alive\n\n"), 15_000);
          unrefTimer(this.keepAlive);
        }
      },
      cancel: () => {
        this.sink = undefined;
        this.stopKeepAlive();
        this.onDisconnect?.();
      },
    });
    return new Response(body, { status: 200, headers: SSE_HEADERS });
  }

  /** Ends the logical stream: the connection is closed once everything is flushed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.endConnection();
    this.onClose?.();
  }

  /** Drops the current connection without ending the stream (the client may resume). */
  detach(): void {
    this.endConnection();
  }

  get attached(): boolean {
    return this.sink !== undefined;
  }

  private write(text: string): void {
    if (!this.sink) return;
    try {
      this.sink.enqueue(encoder.encode(text));
    } catch {
      this.sink = undefined;
      this.stopKeepAlive();
    }
  }

  private endConnection(): void {
    this.stopKeepAlive();
    if (!this.sink) return;
    try {
      this.sink.close();
    } catch { /* already closed by the client */ }
    this.sink = undefined;
  }

  private stopKeepAlive(): void {
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
} as const;
