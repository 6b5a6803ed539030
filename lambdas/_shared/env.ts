/**
 * Environment of the Lambda functions, validated with zod at cold start. The CDK stack sets these variables
 * (see `lib/`); the local runtime sets the same ones, pointed at embedded services.
 */
import { z } from 'zod';
import { InvalidConfigError } from '../../core/errors.ts';
import { SourceKind } from '../../core/model.ts';
import { DEFAULT_ABUSE_LIMITS } from '../../core/subscriptions/deps.ts';
import { DEFAULT_HISTORY_DAYS } from '../../core/thinned-history.ts';
import {
  DEFAULT_POLL_EVERY_HOURS,
  DEFAULT_POLL_IN_FLIGHT,
  DEFAULT_SES_MAX_SEND_RATE,
  DEFAULT_TIKTOK_RATE_LIMIT_PER_MINUTE,
  DIGEST_ACCOUNTS_PER_INVOCATION,
} from '../../deployment/fan-out.ts';

const PositiveInt = z.coerce.number().int().positive();

/** A Parameter Store name: a path from the root, e.g. `/likewatch/LikewatchStack/link-signing-key`. */
const ParameterName = z
  .string()
  .regex(/^\/[A-Za-z0-9_.\-/]+$/, 'a parameter name such as /likewatch/…');

/** Variables every function reads. */
const CommonEnv = z.object({
  /** The single DynamoDB table (see docs/data-model.md). */
  TABLE_NAME: z.string().min(3),
});

/** Every how many hours each account is polled (the stack's `pollEveryHours`). */
const PollEveryHours = PositiveInt.max(24).default(DEFAULT_POLL_EVERY_HOURS);

/** The poll tick: finds the accounts due and sends one job per account to the poll queue. */
export const PollTickEnv = CommonEnv.extend({
  /** URL of the SQS queue of poll jobs (set by the stack; locally, the embedded queue). */
  POLL_QUEUE_URL: z.url(),
  POLL_EVERY_HOURS: PollEveryHours,
  /**
   * Minutes of the cadence one tick covers: the poll schedule's period (1 in the stack, which ticks every
   * minute and so spreads each round over the cadence). Unset: the whole cadence, every account at once.
   */
  POLL_TICK_MINUTES: PositiveInt.optional(),
});
export type PollTickEnv = z.infer<typeof PollTickEnv>;

/** The poll worker: reads the stats of the accounts of a batch of poll jobs. */
export const PollWorkerEnv = CommonEnv.extend({
  /** Base URL of TikTok's open API; the local runtime points it at the fake TikTok. */
  TIKTOK_API_BASE_URL: z.url().default('https://open.tiktokapis.com'),
  /** How many accounts of a batch are polled at once. */
  POLL_CONCURRENCY: PositiveInt.default(DEFAULT_POLL_IN_FLIGHT),
  /** Per-request timeout towards TikTok, in milliseconds. */
  TIKTOK_TIMEOUT_MS: PositiveInt.default(10_000),
  /**
   * SecureString parameter holding the master key that wraps the data keys sealing source credentials (set by
   * the stack; the key is made on first use).
   */
  CREDENTIALS_KEY_PARAMETER: ParameterName.optional(),
  /** Instead, the customer managed KMS key that wraps them (the stack with `-c customerKey=true`). */
  CREDENTIALS_KMS_KEY_ID: z.string().min(1).optional(),
  /** Instead, locally: a base64 AES-256 key that wraps them. */
  CREDENTIALS_LOCAL_KEY: z.string().min(1).optional(),
  /**
   * Stats sources to wire, comma-separated: `display_api` (default), `research_api`, `web` (unofficial, off
   * unless listed). An account whose source is not enabled gets a failed poll (`source_disabled`).
   */
  ENABLED_SOURCES: z
    .string()
    .default('display_api')
    .transform((value) =>
      value
        .split(',')
        .map((kind) => kind.trim())
        .filter(Boolean),
    )
    .pipe(z.array(SourceKind).min(1)),
  /** Base URL of TikTok's public web pages (the `web` source); the local runtime points it at the fake. */
  TIKTOK_WEB_BASE_URL: z.url().default('https://www.tiktok.com'),
  /** The TikTok app's client key (refreshing creators' tokens; the Research API's client token). */
  TIKTOK_CLIENT_KEY: z.string().min(1).optional(),
  /** The app's client secret (local runs); in AWS it lives in a SecureString parameter instead. */
  TIKTOK_CLIENT_SECRET: z.string().min(1).optional(),
  /** Name of the SecureString parameter the operator puts the app's client secret in, read at cold start. */
  TIKTOK_CLIENT_SECRET_PARAMETER: ParameterName.optional(),
  /**
   * Requests per minute allowed to each TikTok endpoint from this process. The stack divides TikTok's limit per
   * endpoint by the poll workers' maximum concurrency, so all workers together stay under it.
   */
  TIKTOK_RATE_LIMIT_PER_MINUTE: PositiveInt.default(DEFAULT_TIKTOK_RATE_LIMIT_PER_MINUTE),
  /** The Research API's daily quota of requests (TikTok's default is 1,000). */
  TIKTOK_RESEARCH_DAILY_REQUESTS: PositiveInt.default(1_000),
  /** The Research API's daily quota of records (TikTok's default is 100,000). */
  TIKTOK_RESEARCH_DAILY_RECORDS: PositiveInt.default(100_000),
  /** How many days before an account was added the Research API source reads its videos from. */
  TIKTOK_RESEARCH_LOOKBACK_DAYS: PositiveInt.default(90),
  /** The poll cadence, so the Research API's daily quota is shared between the day's runs. */
  POLL_EVERY_HOURS: PollEveryHours,
  /** The batch stops starting polls this long before the function's timeout; the rest is delivered again. */
  POLL_DEADLINE_MARGIN_MS: PositiveInt.default(20_000),
});
export type PollWorkerEnv = z.infer<typeof PollWorkerEnv>;

/** The poll worker's settings of its stats sources (`createStatsSources` takes these plus its ports). */
export function sourceSettingsOf(env: Omit<PollWorkerEnv, 'TABLE_NAME'>) {
  return {
    kinds: env.ENABLED_SOURCES,
    apiBaseUrl: env.TIKTOK_API_BASE_URL,
    webBaseUrl: env.TIKTOK_WEB_BASE_URL,
    timeoutMs: env.TIKTOK_TIMEOUT_MS,
    rateLimitPerMinute: env.TIKTOK_RATE_LIMIT_PER_MINUTE,
    research: {
      dailyQuota: {
        requests: env.TIKTOK_RESEARCH_DAILY_REQUESTS,
        records: env.TIKTOK_RESEARCH_DAILY_RECORDS,
      },
      pollEveryHours: env.POLL_EVERY_HOURS,
      lookbackDays: env.TIKTOK_RESEARCH_LOOKBACK_DAYS,
    },
  };
}

/** Checks the TikTok client configuration: one secret source at most, and all of it for the Research API. */
export const PollWorkerEnvChecked = PollWorkerEnv.superRefine((env, context) => {
  if (env.TIKTOK_CLIENT_SECRET !== undefined && env.TIKTOK_CLIENT_SECRET_PARAMETER !== undefined) {
    context.addIssue({
      code: 'custom',
      message: 'set at most one of TIKTOK_CLIENT_SECRET or TIKTOK_CLIENT_SECRET_PARAMETER',
    });
  }
  const hasSecret =
    env.TIKTOK_CLIENT_SECRET !== undefined || env.TIKTOK_CLIENT_SECRET_PARAMETER !== undefined;
  if (env.ENABLED_SOURCES.includes('research_api') && (!env.TIKTOK_CLIENT_KEY || !hasSecret)) {
    context.addIssue({
      code: 'custom',
      message:
        'the research_api source needs TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET (or TIKTOK_CLIENT_SECRET_PARAMETER)',
    });
  }
});

/** The digest tick: finds the due subscribers, explains their nights once, sends one job per subscriber. */
export const DigestTickEnv = CommonEnv.extend({
  /** URL of the SQS queue of digest jobs (set by the stack; locally, the embedded queue). */
  DIGEST_QUEUE_URL: z.url(),
  /** URL of the queue of the parts of nights too large for one invocation (`lambdas/digest-parts` reads it). */
  DIGEST_PART_QUEUE_URL: z.url(),
  /** Most accounts one invocation explains for a night; a larger night is split into parts. */
  DIGEST_ACCOUNTS_PER_INVOCATION: PositiveInt.default(DIGEST_ACCOUNTS_PER_INVOCATION),
  /** How many days of history the engine reads for a night (the last week poll by poll, then daily). */
  HISTORY_DAYS: PositiveInt.default(DEFAULT_HISTORY_DAYS),
});
export type DigestTickEnv = z.infer<typeof DigestTickEnv>;

/** The digest worker: emails the digest of each job of a batch. */
export const DigestEnv = CommonEnv.extend({
  /** Verified SES sender, e.g. `likewatch <digest@example.com>`. */
  SENDER_ADDRESS: z.string().min(3),
  /** Public base URL of the subscription pages, used for links in emails. */
  PUBLIC_BASE_URL: z.url(),
  /** Optional SES configuration set (bounce and complaint handling). */
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Key that signs links in emails (local runs); in AWS the key lives in a SecureString parameter instead. */
  LINK_SIGNING_KEY: z.string().min(32).optional(),
  /** Name of the SecureString parameter holding the link-signing key (made on first use). */
  LINK_SIGNING_KEY_PARAMETER: ParameterName.optional(),
  /** How many digests of a batch are composed and sent at once. */
  DIGEST_CONCURRENCY: PositiveInt.default(4),
  /**
   * Messages per second this process may send (SES console, "Sending statistics", gives the account's
   * maximum). Sends are paced to it; the stack divides the configured SES rate by the digest workers' maximum
   * concurrency. 14 is the usual starting quota of a production account.
   */
  SES_MAX_SEND_RATE: z.coerce.number().positive().default(DEFAULT_SES_MAX_SEND_RATE),
});
export type DigestEnv = z.infer<typeof DigestEnv>;

/** Checks that exactly one source of the link-signing key is configured. */
const oneLinkSigningKey = [
  (env: Pick<DigestEnv, 'LINK_SIGNING_KEY' | 'LINK_SIGNING_KEY_PARAMETER'>) =>
    (env.LINK_SIGNING_KEY === undefined) !== (env.LINK_SIGNING_KEY_PARAMETER === undefined),
  { message: 'set exactly one of LINK_SIGNING_KEY or LINK_SIGNING_KEY_PARAMETER' },
] as const;

/** Checks that exactly one source of the link-signing key is configured. */
export const DigestEnvChecked = DigestEnv.refine(...oneLinkSigningKey);

/**
 * The subscription pages (HTTP API function): mail like the digest (confirmations), sign like the digest
 * (links, form tokens, OAuth state), and reach TikTok like the poller (connecting accounts).
 */
export const HttpApiEnv = DigestEnv.pick({
  TABLE_NAME: true,
  SENDER_ADDRESS: true,
  PUBLIC_BASE_URL: true,
  SES_CONFIGURATION_SET: true,
  LINK_SIGNING_KEY: true,
  LINK_SIGNING_KEY_PARAMETER: true,
}).extend({
  ...PollWorkerEnv.pick({
    TIKTOK_API_BASE_URL: true,
    TIKTOK_WEB_BASE_URL: true,
    TIKTOK_TIMEOUT_MS: true,
    TIKTOK_CLIENT_KEY: true,
    TIKTOK_CLIENT_SECRET: true,
    TIKTOK_CLIENT_SECRET_PARAMETER: true,
    CREDENTIALS_KEY_PARAMETER: true,
    CREDENTIALS_KMS_KEY_ID: true,
    CREDENTIALS_LOCAL_KEY: true,
  }).shape,
  /** Sign-ups accepted from one IP address per hour. */
  SIGN_UPS_PER_IP_PER_HOUR: PositiveInt.default(DEFAULT_ABUSE_LIMITS.signUpsPerIpPerHour),
  /** Confirmation emails sent to one address per day. */
  EMAILS_PER_ADDRESS_PER_DAY: PositiveInt.default(DEFAULT_ABUSE_LIMITS.emailsPerAddressPerDay),
  /** TikTok connections started from one IP address per hour. */
  CONNECTS_PER_IP_PER_HOUR: PositiveInt.default(DEFAULT_ABUSE_LIMITS.connectsPerIpPerHour),
});
export type HttpApiEnv = z.infer<typeof HttpApiEnv>;

/** Checks the HTTP API function's configuration (one link-signing key source). */
export const HttpApiEnvChecked = HttpApiEnv.refine(...oneLinkSigningKey);

/** The SES events function: records bounces and complaints in the table. */
export const SesEventsEnv = CommonEnv;
export type SesEventsEnv = z.infer<typeof SesEventsEnv>;

/** Parses `raw` (normally `process.env`) with `schema`; throws InvalidConfigError naming what to set. */
export function loadEnv<S extends z.ZodType>(
  schema: S,
  raw: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new InvalidConfigError(`Invalid environment:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
