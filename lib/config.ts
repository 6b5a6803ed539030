/**
 * Deployment configuration of the likewatch stack, read from CDK context (`cdk.json` defaults, overridden with
 * `-c key=value`) and validated with zod at synth, so a bad value fails before anything reaches CloudFormation.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { z } from 'zod';
import { SourceKind } from '../core/model.ts';
import {
  DEFAULT_DIGEST_WORKER_CONCURRENCY,
  DEFAULT_POLL_EVERY_HOURS,
  DEFAULT_POLL_WORKER_CONCURRENCY,
  DEFAULT_SES_MAX_SEND_RATE,
  DEFAULT_TIKTOK_RATE_LIMIT_PER_MINUTE,
} from '../deployment/fan-out.ts';

/** Stages the stack can be deployed as; every stage except `dev` keeps its data when the stack goes away. */
export const STAGES = ['dev', 'staging', 'prod'] as const;

/** The context keys this module reads, in the order a missing-config message lists them. */
const CONTEXT_KEYS = [
  'stage',
  'senderAddress',
  'pollEveryHours',
  'publicBaseUrl',
  'retentionDays',
  'operatorEmail',
  'tiktokClientKey',
  'enabledSources',
  'sesMaxSendRate',
  'tiktokRateLimitPerMinute',
  'pollWorkerConcurrency',
  'digestWorkerConcurrency',
  'dashboard',
  'detailedAlarms',
  'firewall',
  'customerKey',
] as const;
type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Example value per key, used to tell the operator what a valid `-c key=value` looks like. */
const EXAMPLES: Record<ContextKey, string> = {
  stage: 'prod',
  senderAddress: "'likewatch <digest@example.com>'",
  pollEveryHours: String(DEFAULT_POLL_EVERY_HOURS),
  publicBaseUrl: 'https://likewatch.example.com',
  retentionDays: '90',
  operatorEmail: 'ops@example.com',
  tiktokClientKey: 'awc1example2key3',
  enabledSources: 'display_api,research_api',
  sesMaxSendRate: '14',
  tiktokRateLimitPerMinute: String(DEFAULT_TIKTOK_RATE_LIMIT_PER_MINUTE),
  pollWorkerConcurrency: '2',
  digestWorkerConcurrency: '2',
  dashboard: 'true',
  detailedAlarms: 'true',
  firewall: 'true',
  customerKey: 'true',
};

const LOG_RETENTION_DAYS = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number',
);

/** `-c key=3` arrives as the string `'3'`, while cdk.json gives a number: accept both. */
const contextInt = (schema: z.ZodNumber) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
    schema,
  );

/** `-c rate=1.5` arrives as a string, cdk.json gives a number: accept both. */
const contextNumber = contextInt;

/** `-c enabledSources=display_api,web` or a JSON array in cdk.json. */
const contextList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((part) => part.trim())
            .filter(Boolean)
        : value,
    z.array(item).min(1),
  );

/**
 * The lowest maximum concurrency an SQS event source accepts is 2; the highest is 1,000. A worker's share of
 * a rate limit is the limit divided by this.
 */
const workerConcurrency = contextInt(z.number().int().min(2).max(1000));

/** `-c dashboard=true` arrives as a string, cdk.json gives a boolean: accept both; absent means off. */
const contextFlag = z
  .preprocess(
    (value) => (value === 'true' ? true : value === 'false' || value === '' ? false : value),
    z.boolean(),
  )
  .default(false);

/** An empty `-c operatorEmail=` means "none", not "invalid". */
const optionalContextString = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** `Name <user@domain>` or a bare `user@domain`; capture group 1 is the address. */
const SENDER_PATTERN = /^(?:[^<>]*<\s*([^<>\s]+)\s*>|([^<>\s]+))$/;

const senderEmailOf = (senderAddress: string): string | undefined => {
  const match = SENDER_PATTERN.exec(senderAddress.trim());
  const email = match?.[1] ?? match?.[2];
  return email !== undefined && z.email().safeParse(email).success ? email : undefined;
};

const StackConfigSchema = z
  .object({
    stage: z.enum(STAGES),
    senderAddress: z
      .string()
      .min(3)
      .refine((value) => senderEmailOf(value) !== undefined, {
        message: 'expected `Name <user@domain>` or `user@domain`',
      }),
    pollEveryHours: contextInt(z.number().int().min(1).max(24)).default(DEFAULT_POLL_EVERY_HOURS),
    publicBaseUrl: z.url({ protocol: /^https?$/ }),
    retentionDays: contextInt(
      z
        .number()
        .int()
        .refine((days) => LOG_RETENTION_DAYS.includes(days), {
          message: `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(', ')}`,
        }),
    ).default(90),
    operatorEmail: optionalContextString(z.email()),
    /**
     * The TikTok app's client key (developer portal), needed to refresh creators' access tokens and for the
     * Research API. Its secret lives in a SecureString parameter the operator puts (docs/deploy.md).
     */
    tiktokClientKey: optionalContextString(z.string().min(1)),
    /** Stats sources the poll workers wire (`ENABLED_SOURCES`); see docs/sources.md. */
    enabledSources: contextList(SourceKind).default(['display_api']),
    /**
     * The SES account's maximum send rate, messages per second (SES console, Account dashboard). 14 is the
     * usual first production quota; a sandbox account has 1. The digest workers share it.
     */
    sesMaxSendRate: contextNumber(z.number().positive().max(10_000)).default(
      DEFAULT_SES_MAX_SEND_RATE,
    ),
    /**
     * TikTok's rate limit per endpoint, requests per minute (its documented default unless TikTok granted
     * more). The poll workers share it.
     */
    tiktokRateLimitPerMinute: contextInt(z.number().int().min(2).max(1_000_000)).default(
      DEFAULT_TIKTOK_RATE_LIMIT_PER_MINUTE,
    ),
    /** At most this many poll workers run at once (the poll queue's event source maximum concurrency). */
    pollWorkerConcurrency: workerConcurrency.default(DEFAULT_POLL_WORKER_CONCURRENCY),
    /** At most this many digest workers run at once (the digest queue's event source maximum concurrency). */
    digestWorkerConcurrency: workerConcurrency.default(DEFAULT_DIGEST_WORKER_CONCURRENCY),
    /** The CloudWatch dashboard and the run-summary metrics it graphs (priced in docs/deploy.md). */
    dashboard: contextFlag,
    /** An alarm per dead-letter queue and function, the poll backlog and SES reputation (docs/deploy.md). */
    detailedAlarms: contextFlag,
    /** The WAF web ACL with per-client rate limits in front of the pages (docs/deploy.md). */
    firewall: contextFlag,
    /**
     * A customer managed KMS key wraps the credentials' data keys instead of a key in Parameter Store
     * (docs/deploy.md): every unwrap in CloudTrail and one switch to revoke them all, for $1 a month.
     */
    customerKey: contextFlag,
  })
  .superRefine((config, context) => {
    if (config.enabledSources.includes('research_api') && config.tiktokClientKey === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['tiktokClientKey'],
        message: 'the research_api source needs the TikTok client key',
      });
    }
    if (config.tiktokRateLimitPerMinute < config.pollWorkerConcurrency) {
      context.addIssue({
        code: 'custom',
        path: ['pollWorkerConcurrency'],
        message: `each poll worker needs at least 1 request per minute: at most ${config.tiktokRateLimitPerMinute} workers`,
      });
    }
  })
  .transform((config) => {
    // The refine above guarantees an address; the schema cannot express that in the type.
    const senderEmail = senderEmailOf(config.senderAddress)!;
    return {
      ...config,
      senderEmail,
      senderDomain: senderEmail.slice(senderEmail.lastIndexOf('@') + 1),
      retentionDays: config.retentionDays as RetentionDays,
      // Every worker limits itself to its share, so all of them together stay under the limit.
      pollWorkerRequestsPerMinute: Math.floor(
        config.tiktokRateLimitPerMinute / config.pollWorkerConcurrency,
      ),
      digestWorkerSendsPerSecond: config.sesMaxSendRate / config.digestWorkerConcurrency,
    };
  });

/**
 * Validated stack configuration; `senderEmail` and `senderDomain` are derived from `senderAddress`, and each
 * worker's share of the TikTok and SES rates from the rates and the worker concurrencies.
 */
export type StackConfig = z.infer<typeof StackConfigSchema>;

/** Thrown at synth when context is missing or invalid; the message names each `-c key=value` to set. */
export class StackConfigError extends Error {
  override name = 'StackConfigError';
}

/**
 * Reads and validates the stack configuration from the CDK context of `scope` (normally the App).
 *
 * @throws StackConfigError naming every offending key and an example `-c key=value`.
 */
export function loadStackConfig(scope: Construct): StackConfig {
  const raw = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, scope.node.tryGetContext(key)]));
  const result = StackConfigSchema.safeParse(raw);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '') as ContextKey;
    const example = EXAMPLES[key] ?? '…';
    return `  - ${key}: ${issue.message} (set it with -c ${key}=${example} or in cdk.json "context")`;
  });
  throw new StackConfigError(`Invalid likewatch CDK context:\n${problems.join('\n')}`);
}
