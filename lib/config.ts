/**
 * Deployment configuration of the likewatch stack, read from CDK context (`cdk.json` defaults, overridden with
 * `-c key=value`) and validated with zod at synth, so a bad value fails before anything reaches CloudFormation.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { z } from 'zod';

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
  'pollReservedConcurrency',
  'tiktokClientKey',
] as const;
type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Example value per key, used to tell the operator what a valid `-c key=value` looks like. */
const EXAMPLES: Record<ContextKey, string> = {
  stage: 'prod',
  senderAddress: "'likewatch <digest@example.com>'",
  pollEveryHours: '6',
  publicBaseUrl: 'https://likewatch.example.com',
  retentionDays: '90',
  operatorEmail: 'ops@example.com',
  pollReservedConcurrency: '1',
  tiktokClientKey: 'awc1example2key3',
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
    pollEveryHours: contextInt(z.number().int().min(1).max(24)),
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
     * Reserve this much concurrency for the poller so a retried or slow run cannot overlap the next and double
     * the request rate towards TikTok. Off by default: a new AWS account (concurrency limit 10) cannot reserve
     * any and keep the 10 unreserved executions Lambda requires.
     */
    pollReservedConcurrency: z.preprocess(
      (value) => (value === '' || value === undefined ? undefined : Number(value)),
      z.number().int().min(1).max(100).optional(),
    ),
    /**
     * The TikTok app's client key (developer portal), needed to refresh creators' access tokens and for the
     * Research API. Its secret lives in Secrets Manager (the stack's TikTokClientSecret).
     */
    tiktokClientKey: optionalContextString(z.string().min(1)),
  })
  .transform((config) => {
    // The refine above guarantees an address; the schema cannot express that in the type.
    const senderEmail = senderEmailOf(config.senderAddress)!;
    return {
      ...config,
      senderEmail,
      senderDomain: senderEmail.slice(senderEmail.lastIndexOf('@') + 1),
      retentionDays: config.retentionDays as RetentionDays,
    };
  });

/** Validated stack configuration; `senderEmail` and `senderDomain` are derived from `senderAddress`. */
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
