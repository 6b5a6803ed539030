import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.ts';
import { explainFleet, parseFleet } from '../../core/explain/index.ts';
import type { Fleet, Poll } from '../../core/model.ts';

const HOUR = 3_600_000;
const AS_OF = Date.parse('2026-11-24T06:00:00Z');

describe('parseFleet on arbitrary input', () => {
  it('should either return a fleet or throw InvalidInputError, never anything else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        try {
          parseFleet(json);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('should reject mutated fleet documents with an error naming the place', () => {
    const base = {
      format: 'likewatch.fleet/v1',
      accounts: [
        {
          platform: 'tiktok',
          id: '1',
          handle: 'a',
          polls: [
            {
              at: '2026-11-24T00:00:00Z',
              status: 'ok',
              profile: { followers: 1, following: 1, likes: 1, videos: 1 },
              videos: [
                {
                  id: 'v',
                  postedAt: '2026-11-01T00:00:00Z',
                  views: 1,
                  likes: 1,
                  comments: 0,
                  shares: 0,
                },
              ],
            },
          ],
        },
      ],
    };
    const paths = [
      ['accounts', 0, 'polls', 0, 'videos', 0, 'likes'],
      ['accounts', 0, 'polls', 0, 'at'],
      ['accounts', 0, 'polls', 0, 'status'],
      ['accounts', 0, 'polls', 0, 'profile', 'followers'],
      ['accounts', 0, 'id'],
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.oneof(
          fc.constant(-1),
          fc.constant(1.5),
          fc.string(),
          fc.constant(null),
          fc.constant({}),
        ),
        (path, value) => {
          const doc = structuredClone(base) as Record<string, unknown>;
          let node: Record<string | number, unknown> = doc;
          for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
          const last = path.at(-1) as string;
          node[last] = value;
          let error: unknown;
          try {
            parseFleet(doc);
          } catch (caught) {
            error = caught;
          }
          // Some replacements are still valid (e.g. a string id); the rest must be refused with the field named.
          if (error) {
            expect(error).toBeInstanceOf(InvalidInputError);
            expect((error as Error).message).toContain(last);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * Histories in which no like is ever removed: every video's likes only grow (or stay) between the polls that
 * read it, and videos never vanish from complete polls. Any mix of failed, partial and late polls.
 */
const lossFreeAccount = (index: number) =>
  fc
    .record({
      videos: fc.integer({ min: 1, max: 12 }),
      polls: fc.integer({ min: 2, max: 30 }),
      cadenceHours: fc.integer({ min: 1, max: 24 }),
      gains: fc.array(fc.nat({ max: 500 }), { minLength: 400, maxLength: 400 }),
      statuses: fc.array(fc.constantFrom('ok', 'ok', 'ok', 'failed', 'partial'), {
        minLength: 30,
        maxLength: 30,
      }),
      jitter: fc.array(fc.integer({ min: -30, max: 30 }), { minLength: 30, maxLength: 30 }),
    })
    .map(({ videos, polls, cadenceHours, gains, statuses, jitter }) => {
      const likes = Array.from({ length: videos }, (_, video) => 10 * video);
      const views = likes.map((value) => value * 20 + 100);
      const history: Poll[] = [];
      for (let poll = 0; poll < polls; poll += 1) {
        const at = new Date(
          AS_OF - (polls - 1 - poll) * cadenceHours * HOUR + (jitter[poll] ?? 0) * 60_000,
        );
        for (let video = 0; video < videos; video += 1) {
          const gain = gains[(poll * videos + video) % gains.length] ?? 0;
          likes[video] = (likes[video] ?? 0) + gain;
          views[video] = (views[video] ?? 0) + gain * 20;
        }
        const stats = likes.map((value, video) => ({
          id: `a${index}v${video}`,
          postedAt: '2026-10-01T00:00:00Z',
          views: views[video] ?? 0,
          likes: value,
          comments: 0,
          shares: 0,
        }));
        const status = poll === polls - 1 ? 'ok' : (statuses[poll] ?? 'ok');
        const profile = {
          followers: 100,
          following: 1,
          likes: likes.reduce((a, b) => a + b, 0),
          videos,
        };
        history.push(
          status === 'failed'
            ? { at: at.toISOString(), status: 'failed', reason: 'timeout' }
            : status === 'partial'
              ? {
                  at: at.toISOString(),
                  status: 'partial',
                  reason: 'missing_pages',
                  profile,
                  videos: stats.slice(0, 1),
                }
              : { at: at.toISOString(), status: 'ok', profile, videos: stats },
        );
      }
      history.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      return {
        platform: 'tiktok' as const,
        id: `acct-${index}`,
        handle: `creator_${index}`,
        polls: history,
      };
    });

describe('explainFleet on histories without any lost like', () => {
  it('should never report a loss', () => {
    fc.assert(
      fc.property(
        fc.tuple(lossFreeAccount(0), lossFreeAccount(1), lossFreeAccount(2)),
        (accounts) => {
          const fleet: Fleet = { format: 'likewatch.fleet/v1', accounts };
          const explanation = explainFleet(fleet, { asOf: new Date(AS_OF) });
          for (const entry of explanation.accounts) {
            expect(entry.verdict, JSON.stringify(entry.causes)).not.toBe('loss');
            expect(entry.likes.lost).toBe(0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
