/**
 * Wraps a mailer so it respects the provider's maximum send rate and rides out throttling: sends are spaced
 * by a token bucket, and a send that fails in a retryable way (throttled, server error, no answer) is tried
 * again after an exponentially growing, jittered pause. Only when the retries are used up does the error
 * reach the use case, which then gives the digest's claim back for a later tick.
 */
import { MailerError } from '../core/errors.ts';
import type { Mailer, OutgoingEmail } from '../core/ports.ts';

/** How the wrapper paces and retries. */
export interface ThrottleOptions {
  /** Messages per second the provider allows (SES: the account's maximum send rate). */
  maxPerSecond: number;
  /** Attempts per message, the first included. @default 4 */
  maxAttempts?: number;
  /** Pause before the first retry; each later one doubles it. @default 250 */
  baseDelayMs?: number;
  /** No pause is longer than this. @default 5000 */
  maxDelayMs?: number;
  /** @default setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  nowMs?: () => number;
  /** A number in [0, 1) for the jitter. @default Math.random */
  random?: () => number;
}

/**
 * A token bucket holding up to one second's worth of sends: a burst may use the whole second's allowance at
 * once, after which sends are spaced evenly at the allowed rate.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  /** Reservations are chained so that concurrent callers queue instead of all seeing the same token. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly nowMs: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    if (!(perSecond > 0)) throw new RangeError('the send rate must be positive');
    this.tokens = Math.max(1, perSecond);
    this.updatedAt = nowMs();
  }

  /** Resolves when one send may go out. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForToken(): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      await this.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
      this.refill();
    }
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.nowMs();
    const capacity = Math.max(1, this.perSecond);
    this.tokens = Math.min(
      capacity,
      this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond,
    );
    this.updatedAt = now;
  }
}

/** A mailer that paces sends to `maxPerSecond` and retries retryable failures with backoff and jitter. */
export class ThrottledMailer implements Mailer {
  private readonly bucket: TokenBucket;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly inner: Mailer,
    options: ThrottleOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.bucket = new TokenBucket(options.maxPerSecond, options.nowMs ?? Date.now, this.sleep);
  }

  async send(email: OutgoingEmail): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      // Every attempt spends a token: a retry counts against the provider's rate like any send.
      await this.bucket.take();
      try {
        return await this.inner.send(email);
      } catch (error) {
        const retryable = error instanceof MailerError && error.retryable;
        if (!retryable || attempt >= this.maxAttempts) throw error;
        await this.sleep(this.backoffMs(attempt));
      }
    }
  }

  /**
   * "Full jitter": a random pause between 0 and the exponential ceiling, so that many senders throttled at
   * the same moment do not all come back at the same moment.
   */
  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.random() * ceiling);
  }
}
