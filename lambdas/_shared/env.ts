/**
 * Environment of the Lambda functions, validated with zod at cold start. The CDK stack sets these variables
 * (see `lib/`); the local runtime sets the same ones, pointed at embedded services.
 */
import { z } from 'zod';
import { InvalidConfigError } from '../../core/errors.ts';

const PositiveInt = z.coerce.number().int().positive();

/** Variables every function reads. */
const CommonEnv = z.object({
  /** The single DynamoDB table (see docs/data-model.md). */
  TABLE_NAME: z.string().min(3),
});

/** The poll function: reads every watched account's stats. */
export const PollEnv = CommonEnv.extend({
  /** Base URL of TikTok's open API; the local runtime points it at the fake TikTok. */
  TIKTOK_API_BASE_URL: z.url().default('https://open.tiktokapis.com'),
  /** How many accounts are polled at once. */
  POLL_CONCURRENCY: PositiveInt.default(8),
  /** Per-request timeout towards TikTok, in milliseconds. */
  TIKTOK_TIMEOUT_MS: PositiveInt.default(10_000),
});
export type PollEnv = z.infer<typeof PollEnv>;

/** The digest function: explains the night and emails each due subscriber. */
export const DigestEnv = CommonEnv.extend({
  /** Verified SES sender, e.g. `likewatch <digest@example.com>`. */
  SENDER_ADDRESS: z.string().min(3),
  /** Public base URL of the subscription pages, used for links in emails. */
  PUBLIC_BASE_URL: z.url(),
  /** Optional SES configuration set (bounce and complaint handling). */
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Key that signs links in emails (local runs); in AWS the key lives in Secrets Manager instead. */
  LINK_SIGNING_KEY: z.string().min(32).optional(),
  /** ARN of the Secrets Manager secret holding the link-signing key. */
  LINK_SIGNING_KEY_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /** How many days of history the engine reads for a night. */
  HISTORY_DAYS: PositiveInt.default(28),
});
export type DigestEnv = z.infer<typeof DigestEnv>;

/** Checks that exactly one source of the link-signing key is configured. */
export const DigestEnvChecked = DigestEnv.refine(
  (env) => (env.LINK_SIGNING_KEY === undefined) !== (env.LINK_SIGNING_KEY_SECRET_ARN === undefined),
  { message: 'set exactly one of LINK_SIGNING_KEY or LINK_SIGNING_KEY_SECRET_ARN' },
);

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
