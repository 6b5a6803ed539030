import { describe, expect, it } from 'vitest';
import { buildDigestDocument, composeDigest } from '../../../../core/digest/compose.ts';
import type { DigestAccountInput } from '../../../../core/digest/input.ts';
import {
  account,
  digestInput,
  explanation,
  okPoll,
  purgedAccount,
  quietAccount,
  slowedAccount,
  subscriber,
  unreadableAccount,
  video,
} from '../../../fakes/digest-accounts.ts';

function compose(...accounts: DigestAccountInput[]) {
  const digest = composeDigest(digestInput(accounts));
  if (digest === undefined) throw new Error('expected a digest');
  return digest;
}

describe('composeDigest subject', () => {
  it('should name the account, the likes lost and the likely cause for a loss', () => {
    expect(compose(purgedAccount()).subject).toBe(
      '@purged lost 1,240 likes overnight — likely a fake-like purge',
    );
  });

  it('should say how much slower likes are coming in for a slowdown', () => {
    expect(compose(slowedAccount()).subject).toBe(
      '@slowed: likes coming in 70% slower than usual — possibly reach limits',
    );
  });

  it('should list the accounts in an all-clear subject on a quiet night', () => {
    expect(compose(quietAccount('a', 'alpha'), quietAccount('b', 'beta')).subject).toBe(
      'All clear: no unusual like changes for @alpha, @beta',
    );
  });

  it('should lead with the worst account and count the other affected accounts', () => {
    const subject = compose(
      quietAccount('a', 'alpha'),
      slowedAccount(),
      unreadableAccount(),
      purgedAccount(),
    ).subject;
    expect(subject).toBe(
      '@purged lost 1,240 likes overnight — likely a fake-like purge (and 2 more accounts)',
    );
  });

  it('should say the cause is unclear when no cause fits well', () => {
    const weak = purgedAccount();
    weak.explanation.causes = weak.explanation.causes.map((cause) => ({
      ...cause,
      confidence: 0.2,
    }));
    expect(compose(weak).subject).toBe('@purged lost 1,240 likes overnight — cause unclear');
  });

  it('should mention likes that came back', () => {
    const glitch = purgedAccount();
    glitch.explanation.likes.restored = 1240;
    expect(compose(glitch).subject).toContain('lost 1,240 likes overnight (all came back)');
  });

  it('should say the account could not be read when that is the worst news', () => {
    expect(compose(unreadableAccount(), quietAccount('a', 'alpha')).subject).toBe(
      'We could not read @unreadable last night (TikTok showed a bot check instead of the account)',
    );
  });

  it('should never show a bare decimal confidence', () => {
    const digest = compose(purgedAccount(), slowedAccount());
    for (const part of [digest.subject, digest.text, digest.html]) {
      expect(part).not.toMatch(/0\.\d\d?\b/);
    }
  });
});

describe('composeDigest ordering', () => {
  it('should put losses (largest first), then slowdowns, then unreadable, then ordinary nights', () => {
    const smallLoss = purgedAccount('acc-small', 'smallloss');
    smallLoss.explanation.likes.lost = 50;
    const document = buildDigestDocument(
      digestInput([
        quietAccount('a', 'alpha'),
        unreadableAccount(),
        slowedAccount(),
        smallLoss,
        purgedAccount(),
      ]),
    );
    expect(document.accounts.map((section) => section.title.split(/[ :]/)[0])).toEqual([
      '@purged',
      '@smallloss',
      '@slowed',
      '@unreadable',
      '@alpha',
    ]);
  });

  it('should render the accounts in the same order in text and HTML', () => {
    const digest = compose(quietAccount('a', 'alpha'), slowedAccount(), purgedAccount());
    for (const part of [digest.text, digest.html]) {
      const purged = part.indexOf('@purged lost');
      const slowed = part.indexOf('@slowed: likes are coming in slower');
      const alpha = part.indexOf('@alpha: an ordinary night');
      expect(purged).toBeGreaterThan(-1);
      expect(purged).toBeLessThan(slowed);
      expect(slowed).toBeLessThan(alpha);
    }
  });
});

describe('composeDigest quiet nights', () => {
  it("should send nothing when the subscriber chose 'skip'", () => {
    const input = digestInput([quietAccount('a', 'alpha')], {
      subscriber: subscriber({ quietNights: 'skip' }),
    });
    expect(composeDigest(input)).toBeUndefined();
  });

  it("should send a one-line all-clear when the subscriber chose 'all_clear'", () => {
    const digest = compose(quietAccount('a', 'alpha'), quietAccount('b', 'beta'));
    expect(digest.quiet).toBe(true);
    const document = buildDigestDocument(
      digestInput([quietAccount('a', 'alpha'), quietAccount('b', 'beta')]),
    );
    expect(document.accounts).toEqual([]);
    expect(document.intro).toMatch(/^All clear: @alpha and @beta had an ordinary night/);
    expect(document.intro).not.toContain('\n');
    expect(digest.text).toContain(document.intro);
    expect(digest.html).toContain('All clear: @alpha and @beta had an ordinary night');
  });

  it("should still send to a 'skip' subscriber when something happened", () => {
    const input = digestInput([quietAccount('a', 'alpha'), purgedAccount()], {
      subscriber: subscriber({ quietNights: 'skip' }),
    });
    expect(composeDigest(input)?.quiet).toBe(false);
  });

  it("should not treat a night as quiet when an account must be reconnected, even for 'skip'", () => {
    const needsReconnect = quietAccount('acc-r', 'reconnectme');
    needsReconnect.account.status = 'needs_reauthorization';
    const input = digestInput([needsReconnect], {
      subscriber: subscriber({ quietNights: 'skip' }),
    });
    const digest = composeDigest(input);
    expect(digest?.quiet).toBe(false);
    expect(digest?.subject).toBe('@reconnectme needs to be reconnected to TikTok');
  });
});

describe('composeDigest honest gaps', () => {
  it('should say we could not read the account, with the latest failure reason in words', () => {
    const digest = compose(unreadableAccount());
    const sentence =
      'We could not read @unreadable last night (TikTok showed a bot check instead of the account)';
    expect(digest.text).toContain(sentence);
    expect(digest.html).toContain(sentence);
    expect(digest.text).not.toContain('bot_check');
  });

  it('should use the reason of the latest failed or partial poll', () => {
    const unreadable = unreadableAccount();
    unreadable.polls.push({
      at: '2026-11-25T05:30:00Z',
      status: 'partial',
      reason: 'missing_pages',
      videos: [],
    });
    expect(compose(unreadable).text).toContain(
      'We could not read @unreadable last night (parts of the video list did not load)',
    );
  });

  it('should not guess numbers, causes or advice for an unreadable account', () => {
    const document = buildDigestDocument(digestInput([unreadableAccount()]));
    const [section] = document.accounts;
    expect(section?.facts).toEqual([]);
    expect(section?.causes).toBeUndefined();
    expect(section?.advice).toBeUndefined();
    expect(section?.videos).toBeUndefined();
  });

  it('should say so plainly when no poll recorded a reason', () => {
    const unreadable = unreadableAccount();
    unreadable.polls = [{ at: '2026-11-25T05:00:00Z', status: 'failed' }];
    expect(compose(unreadable).text).toContain(
      'We could not read @unreadable last night (the data we did get was too incomplete to judge)',
    );
  });

  it('should call out an account that needs re-authorization with its reconnect link', () => {
    const stale = unreadableAccount('acc-stale', 'stale');
    stale.account.status = 'needs_reauthorization';
    stale.polls = [
      { at: '2026-11-25T05:00:00Z', status: 'failed', reason: 'needs_reauthorization' },
    ];
    const digest = compose(stale);
    const reconnect = 'https://likewatch.example.com/reconnect/acc-stale';
    expect(digest.text).toContain(`Reconnect @stale: ${reconnect}`);
    expect(digest.html).toContain(`href="${reconnect}"`);
    expect(digest.text).toContain('(the connection to TikTok has to be renewed)');
  });

  it('should keep a loss a loss and still show the reconnect link', () => {
    const purged = purgedAccount();
    purged.account.status = 'needs_reauthorization';
    const digest = compose(purged);
    expect(digest.subject).toMatch(/^@purged lost 1,240 likes/);
    expect(digest.html).toContain('href="https://likewatch.example.com/reconnect/acc-purge"');
  });
});

describe('composeDigest account content', () => {
  it('should show the numbers and the evidence in both text and HTML', () => {
    const digest = compose(purgedAccount());
    for (const part of [digest.text, digest.html]) {
      expect(part).toContain('1,240');
      expect(part).toContain('310');
      expect(part).toContain('about 420');
      expect(part).toContain('explains 1,180 of the 1,240 likes lost');
      expect(part).toContain(
        // The engine's UTC instants, in the subscriber's zone (Europe/Berlin, UTC+1).
        '2 videos with a like-to-view ratio 6x your norm lost 1,180 likes between Wed 03:00 and Wed 04:00',
      );
      expect(part).not.toContain('UTC');
      expect(part).toContain('5,200 → 4,300 likes, 900 lost');
      expect(part).toContain('Fake-like purge');
      expect(part).toContain('likely');
    }
  });

  it('should word a loss as removed likes and a slowdown as likes coming in slower', () => {
    const loss = compose(purgedAccount()).text;
    const slowdown = compose(slowedAccount()).text;
    expect(loss).toContain('1,240 likes were removed');
    expect(loss).not.toContain('coming in slower');
    expect(slowdown).toContain('likes are coming in 70% slower than usual');
    expect(slowdown).toContain('No likes were removed');
  });

  it('should say there is not enough history when there is no baseline', () => {
    const purged = purgedAccount();
    purged.explanation.likes.baselineGain = null;
    const digest = compose(purged);
    expect(digest.text).toContain('Expected new likes: not enough history yet');
    expect(digest.html).toContain('not enough history yet');
  });

  it('should give advice for the top cause only', () => {
    const text = compose(purgedAccount()).text;
    expect(text).toContain('What to do about a fake-like purge');
    expect(text).not.toContain('What to do about viewers un-liking');
  });

  it('should list at most five videos, fall back to "Untitled video" and omit missing links', () => {
    const ids = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'];
    const before = ids.map((id) => video(id, 1000));
    const after = ids.map((id, index) => video(id, 900 - index * 10));
    const many: DigestAccountInput = {
      account: account('acc-many', 'many'),
      explanation: explanation('acc-many', 'many', {
        verdict: 'loss',
        likes: { lost: 910, restored: 0, gained: 0, baselineGain: 100 },
        causes: [{ cause: 'inactive_account_cleanup', confidence: 0.9, likes: 910, evidence: [] }],
        videos: ids.map((id, index) => ({ id, lost: 100 + index * 10, restored: 0 })),
      }),
      polls: [okPoll('2026-11-24T05:00:00Z', before), okPoll('2026-11-25T05:00:00Z', after)],
    };
    const document = buildDigestDocument(digestInput([many]));
    const videos = document.accounts[0]?.videos;
    expect(videos?.items).toHaveLength(5);
    // Largest loss first: v7 lost 160.
    expect(videos?.items[0]).toEqual({
      title: 'Untitled video',
      change: '1,000 → 840 likes, 160 lost',
    });
    expect(videos?.note).toBe('2 more videos also lost likes.');
  });

  it('should say a vanished video is no longer public', () => {
    const removed: DigestAccountInput = {
      account: account('acc-rm', 'removed'),
      explanation: explanation('acc-rm', 'removed', {
        verdict: 'loss',
        likes: { lost: 800, restored: 0, gained: 40, baselineGain: 50 },
        causes: [
          {
            cause: 'content_removed_or_restricted',
            confidence: 0.9,
            likes: 800,
            evidence: ['1 video with 800 likes disappeared from your public list'],
          },
        ],
        videos: [{ id: 'gone', lost: 800, restored: 0, cause: 'content_removed_or_restricted' }],
      }),
      polls: [
        okPoll('2026-11-24T05:00:00Z', [video('gone', 800, { title: 'Prank' }), video('kept', 10)]),
        okPoll('2026-11-25T05:00:00Z', [video('kept', 50)]),
      ],
    };
    const digest = compose(removed);
    expect(digest.text).toContain('Prank: 800 likes → no longer public, 800 lost');
    expect(digest.text).toContain('cannot tell us whether TikTok removed or restricted the video');
  });

  it('should end with the preferences and unsubscribe links and why the email was sent', () => {
    const digest = compose(purgedAccount(), quietAccount('a', 'alpha'));
    for (const part of [digest.text, digest.html]) {
      expect(part).toContain('https://likewatch.example.com/preferences?token=abc');
      expect(part).toContain('https://likewatch.example.com/unsubscribe?token=abc');
      expect(part).toContain(
        'You get this email because you subscribed to the likewatch morning digest for @alpha and @purged.',
      );
    }
  });

  it('should put the preheader in the HTML and keep it short and single-line', () => {
    const digest = compose(purgedAccount(), slowedAccount(), unreadableAccount());
    expect(digest.preheader).toBe(
      'Overnight, across 3 accounts: 1 lost likes, 1 got likes slower than usual and 1 could not be read.',
    );
    expect(digest.html).toContain(digest.preheader);
  });

  it('should render a complete HTML document with a fluid 600 px column and no scripts or remote images', () => {
    const { html } = compose(purgedAccount());
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('max-width:600px');
    expect(html).toContain('width:100%');
    expect(html).toContain('</html>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
  });

  it('should state the local date and the window in the subscriber time zone', () => {
    const digest = compose(purgedAccount());
    expect(digest.text).toContain('Your likewatch digest for Wednesday, November 25, 2026');
    expect(digest.text).toContain('between Tue 07:00 and Wed 07:00 (Europe/Berlin time)');
  });
});
