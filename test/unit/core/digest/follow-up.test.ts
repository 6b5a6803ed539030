import { describe, expect, it } from 'vitest';
import {
  buildDigestDocument,
  composeDigest,
  reportDigest,
} from '../../../../core/digest/compose.ts';
import type { DigestAccountInput } from '../../../../core/digest/input.ts';
import type { DigestReport } from '../../../../core/model.ts';
import {
  account,
  digestInput,
  explanation,
  okPoll,
  purgedAccount,
  subscriber,
  video,
} from '../../../fakes/digest-accounts.ts';

/** Yesterday's digest reported the purge of `purgedAccount` (v-burst 5,200 → 4,300, v-other 900 → 560). */
const yesterday: DigestReport = reportDigest(digestInput([purgedAccount()]));

/** Today's night for the purged account, its two videos now at the given counts. */
function today(burst: number, other: number, overrides = {}): DigestAccountInput {
  return {
    account: account('acc-purge', 'purged'),
    explanation: explanation('acc-purge', 'purged', overrides),
    polls: [
      okPoll('2026-11-25T05:00:00Z', [video('v-burst', 4300), video('v-other', 560)]),
      okPoll('2026-11-26T05:00:00Z', [video('v-burst', burst), video('v-other', other)]),
    ],
  };
}

function followUps(input: DigestAccountInput) {
  return buildDigestDocument(digestInput([input], { previousReport: yesterday })).followUps?.items;
}

describe('the digest report', () => {
  it('should remember the loss, its top cause and each video before and after', () => {
    expect(yesterday.accounts).toEqual([
      {
        accountId: 'acc-purge',
        handle: '@purged',
        verdict: 'loss',
        lost: 1240,
        topCause: 'fake_engagement_purge',
        videos: [
          { id: 'v-burst', before: 5200, after: 4300 },
          { id: 'v-other', before: 900, after: 560 },
        ],
      },
    ]);
  });
});

describe('follow-ups on yesterday’s digest', () => {
  it('should say the likes came back, most likely a glitch, when they are back', () => {
    const [item] = followUps(today(5200, 900)) ?? [];
    expect(item?.text).toMatch(/^The 1,240 likes @purged lost yesterday are back\./);
    expect(item?.text).toContain('TikTok counting glitch');
  });

  it('should say the drop continued when the account lost likes again', () => {
    const again = today(4000, 560, {
      verdict: 'loss',
      likes: { lost: 300, restored: 0, gained: 10, baselineGain: 400 },
    });
    const [item] = followUps(again) ?? [];
    expect(item?.text).toContain(
      'Yesterday’s drop continued: 300 more likes were removed from @purged',
    );
    expect(item?.text).toContain('a fake-like purge');
  });

  it('should say the likes stayed gone when nothing came back and nothing more was lost', () => {
    const [item] = followUps(today(4300, 560)) ?? [];
    expect(item?.text).toMatch(/have not come back, but no more likes were removed/);
  });

  it('should send an otherwise quiet night with a follow-up even to a subscriber who skips quiet nights', () => {
    const digest = composeDigest(
      digestInput([today(5200, 900)], {
        previousReport: yesterday,
        subscriber: subscriber({ quietNights: 'skip' }),
      }),
    );
    expect(digest?.subject).toBe('Update: The 1,240 likes @purged lost yesterday are back');
    expect(digest?.text).toContain('Since your last digest:');
    expect(digest?.html).toContain('Since your last digest');
  });

  it('should not follow up without a report, or on an account no longer followed', () => {
    expect(followUps({ ...today(5200, 900) })?.length).toBe(1);
    const other = { ...today(5200, 900), account: account('acc-other', 'other') };
    expect(
      buildDigestDocument(digestInput([other], { previousReport: yesterday })).followUps,
    ).toBeUndefined();
    expect(buildDigestDocument(digestInput([today(5200, 900)])).followUps).toBeUndefined();
  });
});
