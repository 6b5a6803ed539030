/**
 * HTTP and validation plumbing shared by the three TikTok sources: rate limiting, per-request timeouts,
 * bounded retries with jittered backoff, bot-check detection, big-integer-safe JSON and zod validation. Every
 * way a request can go wrong ends as a {@link SourceFailure} carrying the poll failure reason to record.
 */
import type { z } from 'zod';
import type { PollFailureReason } from '../../core/model.ts';
import type { PollHints, PollOutcome } from '../../core/ports.ts';
import { nodeTransport, type Transport } from './node-transport.ts';
import { abortableSleep, type EndpointLimiter } from './rate-limiter.ts';

/** A request or response that gave no usable answer, with the reason to record on the poll. */
export class SourceFailure extends Error {
  override name = 'SourceFailure';
  constructor(
    readonly reason: PollFailureReason,
    detail: string,
    /** TikTok's own error code (`error.code` of the API envelope, `error` of the OAuth one), when it sent one. */
    readonly code?: string,
    /** How long the server asked us to wait (Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(detail);
  }
}

/** Structured warnings for operators (the functions pass their JSON logger). */
export interface OperatorLog {
  warn(message: string, fields: Record<string, unknown>): void;
}

/** How often and how patiently a request is retried after a rate limit or a server error. */
export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  maxRetries: number;
  /** First backoff ceiling; doubles each retry. @default 500 */
  baseDelayMs: number;
  /** @default 8000 */
  maxDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 8_000 };

/** Failures worth retrying within a poll: the next attempt may well succeed. */
const RETRYABLE = new Set<PollFailureReason>(['rate_limited', 'server_error']);

/** Options shared by the sources' HTTP clients. */
export interface SourceHttpOptions {
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** How requests are sent. @default {@link nodeTransport} (tests pass scripted ones, or `fetch`) */
  fetch?: Transport;
  /** Shared across sources and polls; none means no client-side limit. */
  limiter?: EndpointLimiter;
  retry?: Partial<RetryPolicy>;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One HTTP request. */
export interface SourceRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Rate-limit bucket, normally the endpoint path. */
  limitKey: string;
  signal?: AbortSignal;
}

/** A response whose body was read in full. */
export interface SourceResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Sends requests for a source; see the module comment. */
export class SourceHttp {
  private readonly fetch: Transport;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: SourceHttpOptions) {
    this.fetch = options.fetch ?? nodeTransport;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
  }

  /** Sends one request and reads the whole body; transport trouble becomes a SourceFailure. */
  async send(request: SourceRequest): Promise<SourceResponse> {
    const { signal } = request;
    try {
      await this.options.limiter?.acquire(request.limitKey, signal);
    } catch {
      throw stopped(signal);
    }
    if (signal?.aborted) throw stopped(signal);
    // One controller for the run's signal and the request's deadline: a timer and a listener per request cost
    // less than AbortSignal.timeout and AbortSignal.any.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException('the request timed out', 'TimeoutError'));
    }, this.options.timeoutMs);
    const onStop = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onStop, { once: true });
    try {
      const response = await this.fetch(request.url, {
        method: request.method,
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.headers ? { headers: request.headers } : {}),
        signal: controller.signal,
      });
      // The body is read under the same deadline: a server that stalls mid-body is a timeout too.
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    } catch (error) {
      if (signal?.aborted) throw stopped(signal);
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError' || timedOut) {
        throw new SourceFailure('timeout', `no answer within ${this.options.timeoutMs} ms`);
      }
      throw new SourceFailure('network_error', (error as Error).message);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onStop);
    }
  }

  /**
   * Runs `attempt`, retrying rate limits and server errors up to `maxRetries` times with full-jitter
   * exponential backoff (at least what Retry-After asks). The last failure is rethrown.
   */
  async withRetries<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof SourceFailure) || !RETRYABLE.has(error.reason)) throw error;
        if (retry >= this.retry.maxRetries) throw error;
        const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** retry);
        const delay = Math.max(error.retryAfterMs ?? 0, this.random() * ceiling);
        try {
          await this.sleep(Math.min(delay, this.retry.maxDelayMs), signal);
        } catch {
          throw stopped(signal);
        }
      }
    }
  }
}

/** The failure recorded when the run's own signal stopped a request (deadline reached). */
function stopped(signal: AbortSignal | undefined): SourceFailure {
  const why = signal?.reason instanceof Error ? signal.reason.message : 'the run was stopped';
  return new SourceFailure('timeout', `stopped before an answer: ${why}`);
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), when present and sane. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Whether a body is a bot-check (WAF JavaScript challenge or captcha) page rather than data. TikTok's web
 * challenge sets a `_wafchallengeid` cookie; captcha pages say so.
 */
export function isBotCheck(text: string): boolean {
  const head = text.slice(0, 20_000);
  return /_wafchallengeid|captcha|verify you are human|security check|slide to verify/i.test(head);
}

/**
 * Parses JSON, first turning the given integer-valued keys into strings: TikTok sends 64-bit ids as bare
 * numbers (Research API `id`, `video_id`), which `JSON.parse` would silently round above 2^53.
 */
export function parseJsonText(response: SourceResponse, bigIntKeys: readonly string[] = []) {
  const { text, status } = response;
  let source = text;
  if (bigIntKeys.length > 0) {
    const keys = bigIntKeys.join('|');
    source = text.replace(new RegExp(`"(${keys})"(\\s*):(\\s*)(-?\\d+)`, 'g'), '"$1"$2:$3"$4"');
  }
  try {
    return JSON.parse(source) as unknown;
  } catch {
    if (isHtml(response) && isBotCheck(text)) {
      throw new SourceFailure('bot_check', `HTTP ${status}: a bot-check page instead of data`);
    }
    throw new SourceFailure(
      status >= 500 ? 'server_error' : 'malformed_response',
      `HTTP ${status} with a body that is not JSON${text.length === 0 ? ' (empty)' : ''}`,
    );
  }
}

/** Whether the server said the body is an HTML page. */
export function isHtml(response: SourceResponse): boolean {
  return /text\/html/i.test(response.headers.get('content-type') ?? '');
}

/** Validates `value` with `schema`; a mismatch is a `malformed_response` naming the first bad path. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new SourceFailure(
    'malformed_response',
    `${what}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
  );
}

/** A `failed` poll outcome; a failure that needs the creator marks the account for re-authorization. */
export function failedOutcome(at: Date, reason: PollFailureReason, detail?: string): PollOutcome {
  return {
    poll: { at: at.toISOString(), status: 'failed', reason, ...(detail ? { detail } : {}) },
    ...(reason === 'needs_reauthorization'
      ? { accountStatus: 'needs_reauthorization' as const }
      : {}),
  };
}

/** The failure behind `error`, or a `network_error` for anything unexpected (never lost, never zeros). */
export function asSourceFailure(error: unknown): SourceFailure {
  if (error instanceof SourceFailure) return error;
  return new SourceFailure('network_error', error instanceof Error ? error.message : String(error));
}

/**
 * The videos earlier polls saw that `videos` lacks, or the failure that kept us from knowing them. Every source
 * checks this: a known video silently missing from an `ok` poll would read as a removal.
 */
export async function absentKnownVideos(
  videos: ReadonlyMap<string, unknown>,
  hints?: PollHints,
): Promise<string[] | SourceFailure> {
  if (!hints) return [];
  try {
    return (await hints.knownVideoIds()).filter((id) => !videos.has(id));
  } catch (error) {
    return asSourceFailure(error);
  }
}
