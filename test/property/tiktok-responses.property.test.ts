import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DisplayApiSource } from '../../adapters/tiktok/display-api-source.ts';
import { type Account, Poll } from '../../core/model.ts';
import type { CredentialVault } from '../../core/ports.ts';

const account: Account = {
  platform: 'tiktok',
  id: 'open-1',
  handle: 'maya.bakes',
  source: 'display_api',
  status: 'active',
  addedAt: '2026-11-01T00:00:00Z',
};
const vault: CredentialVault = {
  getCredentials: async () => ({ accessToken: 'act.1' }),
  getManyCredentials: async (ids) => new Map(ids.map((id) => [id, { accessToken: 'act.1' }])),
  putCredentials: async () => undefined,
};

const okError = { code: 'ok', message: '', log_id: 'x' };
/** A response body: valid-looking, subtly wrong, or garbage. */
const body = fc.oneof(
  fc.jsonValue(),
  fc.record({
    data: fc.record({
      user: fc.record(
        {
          open_id: fc.constantFrom('open-1', 'open-2', ''),
          follower_count: fc.oneof(fc.nat(), fc.integer({ min: -5, max: -1 }), fc.constant(null)),
          following_count: fc.nat(),
          likes_count: fc.oneof(fc.nat(), fc.double(), fc.string()),
          video_count: fc.nat({ max: 50 }),
        },
        { requiredKeys: [] },
      ),
    }),
    error: fc.constantFrom(okError, { code: 'internal_error' }, { code: 'rate_limit_exceeded' }),
  }),
  fc.record({
    data: fc.record({
      videos: fc.array(
        fc.record(
          {
            id: fc.string({ minLength: 1, maxLength: 5 }),
            create_time: fc.oneof(
              fc.integer({ min: 1_500_000_000, max: 1_800_000_000 }),
              fc.constant(0),
            ),
            view_count: fc.oneof(fc.nat(), fc.constant(-1)),
            like_count: fc.oneof(fc.nat(), fc.constant(null)),
            comment_count: fc.nat(),
            share_count: fc.nat(),
          },
          { requiredKeys: ['id'] },
        ),
        { maxLength: 5 },
      ),
      cursor: fc.nat(),
      has_more: fc.boolean(),
    }),
    error: fc.constant(okError),
  }),
);
const response = fc.record({
  status: fc.constantFrom(200, 200, 200, 400, 401, 404, 429, 500, 503),
  text: fc.oneof(
    body.map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 40 }),
  ),
});

describe('DisplayApiSource on arbitrary TikTok responses', () => {
  it('should never throw, and record anything unusable as a failed or partial poll, never as made-up counts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(response, { minLength: 1, maxLength: 8 }), async (responses) => {
        let call = 0;
        const source = new DisplayApiSource({
          baseUrl: 'http://tiktok.test',
          credentials: vault,
          timeoutMs: 1000,
          retry: { maxRetries: 0 },
          sleep: async () => undefined,
          fetch: (async () => {
            const next = responses[call++] ?? { status: 500, text: '' };
            return new Response(next.text, { status: next.status });
          }) as typeof fetch,
        });
        const outcome = await source.poll(account, new Date('2026-11-24T06:00:00Z'));
        // Whatever came back is a valid poll record: counts are non-negative integers or absent.
        expect(Poll.safeParse(outcome.poll).success).toBe(true);
        if (outcome.poll.status === 'ok') {
          // An ok poll needs an answer that really was a profile for this account.
          expect(call).toBeGreaterThanOrEqual(2);
        }
      }),
      { numRuns: 400 },
    );
  });
});
