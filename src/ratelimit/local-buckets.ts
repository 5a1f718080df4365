/**
 * @module Token buckets for a store held in this process (`KV.local`): 16 bytes per key in flat typed arrays instead of a stored record, so a million distinct callers cost tens of megabytes, not hundreds, and a take costs no store call.
 *
 * Each key's state is the time at which its bucket is full again ("theoretical arrival time"): the
 * bucket holds `burst - (fullAt - now) × rps / 1000` tokens. That is the same state as the stored
 * `{ tokens, updatedAt }` record, so verdicts come from the same `takeTokens`. A slot whose time has
 * passed is a full bucket, and is reused by the next new key that probes past it.
 *
 * Keys are not kept, only two independent 32-bit hashes of each, seeded at random per process (an
 * open-addressing table with linear probing). Two keys share a bucket only if both hashes collide
 * (about 1 in 2^64 per pair, and not steerable without the seeds); the effect would be a stricter
 * limit for both, never a looser one.
 */
import { type BucketVerdict, takeTokens } from "./bucket.ts";

export interface LocalBuckets {
  take(key: string, cost: number): BucketVerdict;
  peek(key: string): BucketVerdict;
  /** True when every bucket is full (nothing taken lately): then a peek at any key would allow. */
  idle(): boolean;
  /** Slots holding a bucket that is not full yet. */
  readonly size: number;
}

const MIN_CAPACITY = 1024;
/** Rebuild once this share of slots has ever been filled (live or refilled since). */
const MAX_LOAD = 0.6;

export function localBuckets(rps: number, burst: number, now: () => number): LocalBuckets {
  const [seedA, seedB] = crypto.getRandomValues(new Uint32Array(2));
  let capacity = MIN_CAPACITY;
  let hashA = new Int32Array(capacity);
  let hashB = new Int32Array(capacity);
  // 0: never used. Any other value: the time the bucket is full again (passed: reusable).
  let fullAt = new Float64Array(capacity);
  let used = 0;
  /** The latest time any bucket is full again: from then on all are (see `idle`). */
  let busyUntil = 0;

  /** Index of the key's slot, or of the slot a new key should take (~index - 1). */
  function slotOf(a: number, b: number, t: number): number {
    const mask = capacity - 1;
    let free = -1;
    for (let i = a & mask;; i = (i + 1) & mask) {
      const f = fullAt[i];
      if (f === 0) return ~(free >= 0 ? free : i);
      if (hashA[i] === a && hashB[i] === b) return i;
      if (free < 0 && f <= t) free = i;
    }
  }

  function rebuild(t: number) {
    const oldA = hashA, oldB = hashB, oldFull = fullAt;
    let live = 0;
    for (let i = 0; i < oldFull.length; i++) if (oldFull[i] > t) live++;
    capacity = MIN_CAPACITY;
    while (capacity * 0.4 < live) capacity *= 2;
    hashA = new Int32Array(capacity);
    hashB = new Int32Array(capacity);
    fullAt = new Float64Array(capacity);
    used = 0;
    for (let i = 0; i < oldFull.length; i++) {
      if (oldFull[i] <= t) continue;
      const slot = ~slotOf(oldA[i], oldB[i], t);
      hashA[slot] = oldA[i];
      hashB[slot] = oldB[i];
      fullAt[slot] = oldFull[i];
      used++;
    }
  }

  // The key hashed last and its two hashes: a caller's requests come in runs.
  let lastKey: string | undefined, lastA = 0, lastB = 0;
  const hashOf = (key: string) => {
    if (key === lastKey) return;
    hashes(key, seedA, seedB);
    lastKey = key;
    lastA = pair[0];
    lastB = pair[1];
  };

  const stateAt = (slot: number, t: number) => {
    const f = slot >= 0 ? fullAt[slot] : 0;
    return f <= t ? undefined : { tokens: Math.max(0, burst - ((f - t) * rps) / 1000), updatedAt: t };
  };

  return {
    get size() {
      const t = now();
      let n = 0;
      for (let i = 0; i < capacity; i++) if (fullAt[i] > t) n++;
      return n;
    },
    take(key, cost) {
      const t = now();
      hashOf(key);
      const a = lastA, b = lastB;
      let slot = slotOf(a, b, t);
      const verdict = takeTokens(stateAt(slot, t), t, { rps, burst, cost });
      const tokens = verdict.state.tokens;
      if (tokens >= burst) {
        if (slot >= 0) fullAt[slot] = Number.MIN_VALUE; // full: the slot is free for reuse
        return verdict;
      }
      if (slot < 0) {
        slot = ~slot;
        if (fullAt[slot] === 0 && ++used > capacity * MAX_LOAD) {
          rebuild(t);
          slot = ~slotOf(a, b, t);
          used++;
        }
        hashA[slot] = a;
        hashB[slot] = b;
      }
      // Never 0 (which marks a never-used slot), even with a test clock at 0.
      const until = fullAt[slot] = Math.max(Number.MIN_VALUE, t + ((burst - tokens) * 1000) / rps);
      if (until > busyUntil) busyUntil = until;
      return verdict;
    },
    idle() {
      return busyUntil <= now();
    },
    peek(key) {
      const t = now();
      hashOf(key);
      return takeTokens(stateAt(slotOf(lastA, lastB, t), t), t, { rps, burst, cost: 1 });
    },
  };
}

/** Where `hashes` leaves its two results (no array per call; read them before the next call). */
const pair = new Int32Array(2);

/** Two FNV-1a hashes over UTF-16 code units from two seeds in one pass, each with a murmur3 finaliser. */
function hashes(key: string, seedA: number, seedB: number): void {
  let a = seedA | 0, b = seedB | 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  pair[0] = mix(a);
  pair[1] = mix(b);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
