/**
 * @module Requests being answered: cancellation by id, timeouts and client disconnects, watched by one shared sweeper instead of a timer, a race and listeners per request (measured: those cost a third of the hot path).
 */
export type EndReason = "cancelled" | "timeout";

export interface Flight {
  /** Aborts the handler's signal (after `onEnd` has answered). */
  abort(): void;
  /** Epoch ms after which the request is cancelled as timed out (`Infinity`: never). */
  deadline: number;
  started: number;
  /** The HTTP request whose disconnect cancels this one (2026-07-28); only looked at once it is slow. */
  request?: Request;
  /** Settles the request with an error before its handler is aborted. */
  onEnd(reason: EndReason): void;
}

export function createInflight(timeoutMs: number) {
  const flights = new Map<string, Flight>();
  // Short timeouts (tests) need a finer sweep; normal ones check ten times a second.
  const tick = Math.max(10, Math.min(100, Math.floor(timeoutMs / 4)));
  // The sweeper runs only while some request has a deadline, and keeps the process alive meanwhile,
  // as an in-flight request should (long-lived listen streams have none and do not need it).
  let sweeper: ReturnType<typeof setInterval> | undefined;
  let watched = 0;

  function remove(key: string, own?: Flight): Flight | undefined {
    const flight = flights.get(key);
    // A finished request removes only its own entry, not a later one that reused its id.
    if (!flight || (own && flight !== own)) return undefined;
    flights.delete(key);
    // The sweeper is stopped by the sweep itself once idle, not here: starting and clearing an
    // interval per request costs more than the request (measured on Deno).
    if (flight.deadline !== Infinity) watched--;
    return flight;
  }

  function end(key: string, flight: Flight, reason: EndReason) {
    remove(key);
    // Settle first, then abort: the client must learn why (timeout vs its own cancellation).
    flight.onEnd(reason);
    flight.abort();
  }

  function sweep() {
    const now = Date.now();
    for (const [key, flight] of flights) {
      if (now >= flight.deadline) end(key, flight, "timeout");
      // Reading request.signal is costly on some runtimes: only requests already slow are checked.
      else if (flight.request && now - flight.started >= tick && flight.request.signal.aborted) end(key, flight, "cancelled");
    }
    if (watched === 0 && sweeper !== undefined) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  }

  return {
    timeoutMs,
    /** Registers a request; `started` is set here, and a `deadline` of 0 means the default timeout. The object is kept as given. */
    start(key: string, flight: Flight) {
      const started = flight.started = Date.now();
      remove(key); // a reused id replaces the older flight's bookkeeping
      if (flight.deadline === 0) flight.deadline = started + timeoutMs;
      flights.set(key, flight);
      if (flight.deadline !== Infinity && ++watched === 1 && sweeper === undefined) sweeper = setInterval(sweep, tick);
    },
    /** The request finished by itself (`own`: only if `key` is still this flight). */
    finish(key: string, own?: Flight) {
      remove(key, own);
    },
    /** `notifications/cancelled`, or the client went away. */
    cancel(key: string) {
      const flight = flights.get(key);
      if (flight) end(key, flight, "cancelled");
    },
    get size() {
      return flights.size;
    },
  };
}

export type Inflight = ReturnType<typeof createInflight>;

/**
 * An AbortSignal made on first use: most calls finish without anyone reading theirs, and an
 * AbortController per call was measured on the hot path. Aborting before the first read gives an
 * already-aborted signal.
 */
export class LazySignal {
  #controller: AbortController | undefined;
  #aborted: boolean;
  constructor() {
    this.#controller = undefined;
    this.#aborted = false;
  }
  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      if (this.#aborted) controller.abort();
    }
    return controller.signal;
  }
  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#controller?.abort();
  }
}
