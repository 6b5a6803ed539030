/**
 * A card's words agree with its figures: the digest is rendered, each account card is read back as a reader
 * would (its title, summary and facts), and every adjective is checked against the numbers beside it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeDigest } from '../../../../core/digest/compose.ts';
import type { AccountExplanation } from '../../../../core/model.ts';
import {
  account,
  digestInput,
  explanation,
  okPoll,
  purgedAccount,
  slowedAccount,
  video,
} from '../../../fakes/digest-accounts.ts';

/** A night's like figures: gains anywhere from none to far above a band around a baseline. */
const likeFigures = fc
  .record({
    baseline: fc.integer({ min: 1, max: 50_000 }),
    lowShare: fc.double({ min: 0.2, max: 0.95, noNaN: true }),
    highShare: fc.double({ min: 1.05, max: 3, noNaN: true }),
    gainedShare: fc.double({ min: 0, max: 20, noNaN: true }),
    lost: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ baseline, lowShare, highShare, gainedShare, lost }) => ({
    baselineGain: baseline,
    baselineBand: { low: Math.round(baseline * lowShare), high: Math.round(baseline * highShare) },
    gained: Math.round(baseline * gainedShare),
    lost,
    restored: 0,
  }));

function card(likes: AccountExplanation['likes'], verdict: AccountExplanation['verdict']) {
  const id = 'acc-figures';
  const input = digestInput([
    // A loss alongside, so the email shows every account's card rather than the all-clear line.
    purgedAccount(),
    {
      account: account(id, 'figures'),
      explanation: explanation(id, 'figures', { verdict, likes }),
      polls: [okPoll('2026-11-25T05:00:00Z', [video('v1', 100)])],
    },
  ]);
  const text = composeDigest(input)?.text ?? '';
  const block = text.split('—'.repeat(40)).find((part) => part.includes('@figures')) ?? '';
  const lines = block.trim().split('\n');
  const fact = (label: string) =>
    lines.find((line) => line.trim().startsWith(`${label}:`))?.split(': ')[1];
  return { title: lines[0] ?? '', summary: lines[1] ?? '', fact, text };
}

const number = (value: string | undefined) => Number((value ?? '').replace(/[^\d]/g, ''));

describe('an account card', () => {
  it('should call a night strong, ordinary or quieter exactly as its figures say', () => {
    fc.assert(
      fc.property(likeFigures, (likes) => {
        const { title, summary, fact } = card(likes, 'none');
        const gained = number(fact('New likes'));
        const expected = number(fact('Expected new likes'));
        const [low, high] = (fact('Usual range') ?? '').split('–').map(number);
        expect(gained).toBe(likes.gained);
        expect(expected).toBe(likes.baselineGain);
        expect([low, high]).toEqual([likes.baselineBand.low, likes.baselineBand.high]);
        const strong = gained > (high as number);
        const weak = gained < (low as number);
        expect(title.includes('a strong night')).toBe(strong);
        expect(summary.startsWith('A strong night')).toBe(strong);
        expect(title.includes('quieter night than usual')).toBe(weak);
        expect(summary.includes('No unusual like changes')).toBe(!strong && !weak);
        expect(summary).toContain(`${fact('New likes')} new like`);
        const times = /about ([\d.]+)×/.exec(summary);
        expect(times !== null).toBe(strong);
        if (times) {
          const said = Number(times[1]);
          const actual = gained / expected;
          // Said to a tenth below 3×, to a whole number above.
          expect(Math.abs(said - actual)).toBeLessThanOrEqual(said < 3 ? 0.051 : 0.51);
        }
        if (likes.lost === 0) expect(summary).toContain('No likes were removed');
        else expect(summary).toContain(`${likes.lost} like`);
      }),
      { numRuns: 300 },
    );
  });

  it('should say a slowdown’s percentage as its figures give it', () => {
    fc.assert(
      fc.property(likeFigures, (likes) => {
        const slowed = { ...likes, gained: Math.min(likes.gained, likes.baselineBand.low) };
        const { summary, fact } = card(slowed, 'slowdown');
        const gained = number(fact('New likes'));
        const expected = number(fact('Expected new likes'));
        const percent = /(\d+)% slower/.exec(summary);
        expect(percent).not.toBeNull();
        expect(Number(percent?.[1])).toBe(Math.round((1 - gained / expected) * 100));
      }),
      { numRuns: 200 },
    );
  });

  it('should not call a strong night free of unusual changes when it is the only news', () => {
    const likes = { lost: 0, restored: 0, gained: 31_290, baselineGain: 2_800 };
    const band = { low: 1_900, high: 4_100 };
    const input = digestInput([
      {
        account: account('acc-strong', 'strong'),
        explanation: explanation('acc-strong', 'strong', {
          likes: { ...likes, baselineBand: band },
        }),
        polls: [],
      },
    ]);
    const digest = composeDigest(input);
    expect(digest?.text).toContain('@strong had a strong night: about 11× the usual new likes');
    expect(digest?.text).not.toContain('no unusual like changes');
    expect(digest?.subject).toContain('strong night');
  });

  it('should not count yesterday’s lost likes coming back as a strong night', () => {
    const likes = { lost: 0, restored: 0, gained: 600, baselineGain: 100 };
    const input = digestInput(
      [
        purgedAccount(),
        {
          account: account('acc-back', 'back'),
          explanation: explanation('acc-back', 'back', {
            likes: { ...likes, baselineBand: { low: 50, high: 200 } },
          }),
          polls: [okPoll('2026-11-25T05:00:00Z', [video('v1', 1_000)])],
        },
      ],
      {
        previousReport: {
          asOf: '2026-11-24T06:00:00Z',
          accounts: [
            {
              accountId: 'acc-back',
              handle: '@back',
              verdict: 'loss',
              lost: 500,
              videos: [{ id: 'v1', before: 1_000, after: 500 }],
            },
          ],
        },
      },
    );
    const text = composeDigest(input)?.text ?? '';
    expect(text).toContain('@back: an ordinary night');
    expect(text).toContain(
      'No unusual like changes: 600 new likes, 500 of them yesterday’s lost likes coming back, against about 100 expected, within the usual range.',
    );
    expect(text).not.toContain('strong night');
  });

  it('should list yesterday’s updates after tonight’s accounts, worst news first', () => {
    const digest = composeDigest(
      digestInput([purgedAccount(), slowedAccount()], {
        previousReport: {
          asOf: '2026-11-24T06:00:00Z',
          accounts: [
            { accountId: 'acc-slow', handle: '@slowed', verdict: 'loss', lost: 50, videos: [] },
          ],
        },
      }),
    );
    const text = digest?.text ?? '';
    expect(text.indexOf('Since your last digest')).toBeGreaterThan(text.indexOf('@slowed:'));
    expect(text.indexOf('@purged lost')).toBeLessThan(text.indexOf('@slowed:'));
  });
});
