/** @module Lets a timer not keep the process alive (so `deno serve` exits promptly on SIGTERM), on Deno and Bun. */

export function unrefTimer(timer: ReturnType<typeof setTimeout> | ReturnType<typeof setInterval>): void {
  const deno = (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno;
  if (deno && typeof timer === "number") deno.unrefTimer(timer);
  else (timer as { unref?: () => void }).unref?.();
}
