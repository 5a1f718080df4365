/** @module The token bucket as a pure function: state in, state and verdict out, time passed in (so tests need no clock). */

/** What is stored per key: tokens left at `updatedAt` (epoch ms). */
export interface BucketState {
  tokens: number;
  updatedAt: number;
}

export interface BucketLimits {
  /** Refill rate, tokens per second (> 0). */
  rps: number;
  /** Capacity: the largest burst allowed after idling (>= 1). */
  burst: number;
  /** What this request costs (default 1). A cost above `burst` can never be allowed. */
  cost?: number;
}

export interface BucketVerdict {
  /** The state to store (refilled to `now`, minus the cost when allowed). */
  state: BucketState;
  allowed: boolean;
  /** 0 when allowed; otherwise how long until `cost` tokens will be there. */
  retryAfterMs: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** How long until the bucket is full again (from which point the state can be forgotten). */
  fullInMs: number;
}

/**
 * Refills the bucket for the time since `updatedAt` (capped at `burst`; a clock that went back
 * counts as no time), then takes `cost` tokens if there are enough. A missing state is a full
 * bucket, which is why an expired entry and a never-seen key behave the same.
 */
export function takeTokens(state: BucketState | undefined, now: number, limits: BucketLimits): BucketVerdict {
  const { rps, burst } = limits;
  // A missing or non-finite cost counts as 1, a negative one as 0 (it may never add tokens).
  const cost = limits.cost !== undefined && Number.isFinite(limits.cost) ? Math.max(0, limits.cost) : 1;
  const elapsed = state ? Math.max(0, now - state.updatedAt) : 0;
  const available = state ? Math.min(burst, state.tokens + (elapsed / 1000) * rps) : burst;
  // A hair of tolerance so floating-point refill (0.1 s × 10 rps) cannot deny at the promised time.
  const allowed = available + 1e-9 >= cost;
  const tokens = allowed ? Math.max(0, available - cost) : available;
  return {
    state: { tokens, updatedAt: now },
    allowed,
    retryAfterMs: allowed ? 0 : Math.ceil(((cost - available) / rps) * 1000),
    remaining: Math.max(0, Math.floor(tokens)),
    fullInMs: Math.ceil(((burst - tokens) / rps) * 1000),
  };
}
