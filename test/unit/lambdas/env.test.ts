import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../core/errors.ts';
import {
  DigestEnvChecked,
  DigestTickEnv,
  loadEnv,
  PollTickEnv,
  PollWorkerEnv,
} from '../../../lambdas/_shared/env.ts';

describe('loadEnv', () => {
  it('should fill defaults for the poll function', () => {
    const env = loadEnv(PollWorkerEnv, { TABLE_NAME: 'likewatch-table' });
    expect(env).toEqual({
      TABLE_NAME: 'likewatch-table',
      TIKTOK_API_BASE_URL: 'https://open.tiktokapis.com',
      POLL_CONCURRENCY: 25,
      TIKTOK_TIMEOUT_MS: 10_000,
      ENABLED_SOURCES: ['display_api'],
      TIKTOK_WEB_BASE_URL: 'https://www.tiktok.com',
      TIKTOK_RATE_LIMIT_PER_MINUTE: 600,
      TIKTOK_RESEARCH_DAILY_REQUESTS: 1_000,
      TIKTOK_RESEARCH_DAILY_RECORDS: 100_000,
      TIKTOK_RESEARCH_LOOKBACK_DAYS: 90,
      POLL_EVERY_HOURS: 6,
      POLL_DEADLINE_MARGIN_MS: 20_000,
    });
  });

  it('should name every missing or invalid variable', () => {
    expect(() => loadEnv(PollWorkerEnv, { POLL_CONCURRENCY: '-1' })).toThrow(InvalidConfigError);
    expect(() => loadEnv(PollWorkerEnv, { POLL_CONCURRENCY: '-1' })).toThrow(
      /TABLE_NAME[\s\S]*POLL_CONCURRENCY/,
    );
  });

  it('should require exactly one source of the link-signing key for the digest function', () => {
    const base = {
      TABLE_NAME: 'likewatch-table',
      SENDER_ADDRESS: 'digest@example.com',
      PUBLIC_BASE_URL: 'https://likewatch.example.com',
    };
    expect(() => loadEnv(DigestEnvChecked, base)).toThrow(/exactly one of LINK_SIGNING_KEY/);
    expect(() =>
      loadEnv(DigestEnvChecked, {
        ...base,
        LINK_SIGNING_KEY: 'k'.repeat(32),
        LINK_SIGNING_KEY_PARAMETER: '/likewatch/prod/link-signing-key',
      }),
    ).toThrow(/exactly one/);
    expect(
      loadEnv(DigestEnvChecked, { ...base, LINK_SIGNING_KEY: 'k'.repeat(32) }).DIGEST_CONCURRENCY,
    ).toBe(4);
  });

  it('should need the queue URL in the ticks, default the history to eight weeks and a tick to the whole cadence', () => {
    expect(() => loadEnv(DigestTickEnv, { TABLE_NAME: 'likewatch-table' })).toThrow(
      /DIGEST_QUEUE_URL/,
    );
    expect(() =>
      loadEnv(DigestTickEnv, {
        TABLE_NAME: 'likewatch-table',
        DIGEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/digest-jobs',
      }),
    ).toThrow(/DIGEST_PART_QUEUE_URL/);
    expect(() => loadEnv(PollTickEnv, { TABLE_NAME: 'likewatch-table' })).toThrow(/POLL_QUEUE_URL/);
    const digestTick = loadEnv(DigestTickEnv, {
      TABLE_NAME: 'likewatch-table',
      DIGEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/digest-jobs',
      DIGEST_PART_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/digest-parts',
    });
    expect([digestTick.HISTORY_DAYS, digestTick.DIGEST_ACCOUNTS_PER_INVOCATION]).toEqual([
      56, 5_000,
    ]);
    const tick = loadEnv(PollTickEnv, {
      TABLE_NAME: 'likewatch-table',
      POLL_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/poll-jobs',
    });
    expect([tick.POLL_EVERY_HOURS, tick.POLL_TICK_MINUTES]).toEqual([6, undefined]);
  });
});
