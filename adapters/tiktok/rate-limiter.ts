/**
 * Keeps requests to each TikTok endpoint under its documented limit (requests per minute, counted over a
 * one-minute sliding window; docs/sources.md). One limiter is shared by every concurrent poll in the
 * process, so eight accounts polled at once still stay under the limit together.
 */

/** Waits until one more request to the endpoint `key` is allowed (not the subscription pages' abuse counter). */
export interface EndpointLimiter {
  /** Resolves when a request to `key` may go; rejects with the signal's reason when `signal` aborts first. */
  acquire(key: string, signal?: AbortSignal): Promise<void>;
}

/** Options of {@link SlidingWindowLimiter}. */
export interface SlidingWindowLimiterOptions {
  /** Requests allowed per window and key (the deployment's `TIKTOK_RATE_LIMIT_PER_MINUTE`). */
  limit: number;
  /** @default 60_000 */
  windowMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A per-key sliding-window limiter: at most `limit` requests in any `windowMs`. */
export class SlidingWindowLimiter implements EndpointLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Send instants per key, oldest first. */
  private readonly sent = new Map<string, number[]>();

  constructor(options: SlidingWindowLimiterOptions) {
    this.limit = options.limit;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
  }

  async acquire(key: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      const times = this.sent.get(key) ?? [];
      while (times.length > 0 && (times[0] as number) <= now - this.windowMs) times.shift();
      this.sent.set(key, times);
      // Check and record in one synchronous step, so concurrent callers cannot both take the last slot.
      if (times.length < this.limit) {
        times.push(now);
        return;
      }
      await this.sleep((times[0] as number) + this.windowMs - now, signal);
    }
  }
}

/** Sleeps `ms`; rejects with the signal's reason as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
