import { describe, expect, it } from 'vitest';
import { beginNight, explainFleet } from '../../../../core/explain/index.ts';
import { Explanation, type Poll } from '../../../../core/model.ts';
import { simulateFleet } from '../../../../core/simulate/fleet.ts';
import { AS_OF, inWindow, scenarioFleet } from './helpers.ts';

function explainOne(options: Parameters<typeof scenarioFleet>[0]) {
  const { fleet, world } = scenarioFleet(options);
  const explanation = explainFleet(fleet);
  expect(Explanation.safeParse(explanation).success).toBe(true);
  return { account: explanation.accounts[0]!, world, explanation };
}

describe('explainFleet', () => {
  it('defaults the window to the 24 hours ending at the latest poll', () => {
    const { explanation } = explainOne({});
    expect(explanation.window).toEqual({
      from: '2026-11-23T06:00:00Z',
      to: '2026-11-24T06:00:00Z',
    });
  });

  it('calls an ordinary night none, with a baseline and no causes', () => {
    const { account } = explainOne({});
    expect(account.verdict).toBe('none');
    expect(account.causes).toEqual([]);
    expect(account.likes.gained).toBeGreaterThan(0);
    expect(account.likes.baselineGain).toBeGreaterThan(0);
  });

  it('finds a purge of ratio-outlier videos and attributes it per video', () => {
    const { account, world } = explainOne({
      events: [
        {
          cause: 'fake_engagement_purge',
          at: inWindow(10),
          videoCount: 2,
          ratioMultiplier: 6,
          removedShare: 0.8,
        },
      ],
    });
    const truth = world.outcomes[0]!;
    expect(account.verdict).toBe('loss');
    expect(account.causes[0]?.cause).toBe('fake_engagement_purge');
    expect(account.causes[0]?.evidence.join(' ')).toMatch(/like-to-view ratio/);
    const purged = account.videos
      .filter((video) => video.cause === 'fake_engagement_purge')
      .map((video) => video.id);
    expect(purged.sort()).toEqual([...truth.videoIds].sort());
    expect(account.likes.lost).toBeGreaterThanOrEqual(truth.likesRemoved * 0.9);
    // Largest loss first.
    const losses = account.videos.map((video) => video.lost);
    expect(losses).toEqual([...losses].sort((a, b) => b - a));
  });

  it('leaves a video purged earlier in the night to the purge when a cleanup passes later', () => {
    const { account, world } = explainOne({
      scenario: { medianViews: 400_000 },
      events: [
        {
          cause: 'fake_engagement_purge',
          at: inWindow(6),
          videoCount: 1,
          ratioMultiplier: 6,
          removedShare: 0.8,
        },
        { cause: 'inactive_account_cleanup', at: inWindow(16), fraction: 0.004 },
      ],
    });
    const [purge, cleanup] = world.outcomes;
    const causes = account.causes.map((cause) => cause.cause);
    expect(causes.slice(0, 2)).toEqual(['fake_engagement_purge', 'inactive_account_cleanup']);
    const purged = account.videos.filter((video) => video.cause === 'fake_engagement_purge');
    expect(purged.map((video) => video.id)).toEqual(purge?.videoIds);
    // The cleanup claims its share of the other videos, not the purged video's whole loss.
    const cleaned = account.causes.find((cause) => cause.cause === 'inactive_account_cleanup');
    expect(cleaned?.likes).toBeLessThan(1.5 * (cleanup?.likesRemoved ?? 0));
  });

  it('finds a small proportional cleanup across the account', () => {
    const { account } = explainOne({
      scenario: { medianViews: 400_000 },
      events: [{ cause: 'inactive_account_cleanup', at: inWindow(8), fraction: 0.004 }],
    });
    expect(account.verdict).toBe('loss');
    expect(account.causes[0]?.cause).toBe('inactive_account_cleanup');
  });

  it('finds a cleanup that passed over a third of the videos', () => {
    // "Most videos", not all: every third video keeps its likes (its share is handed back after the cleanup).
    const at = inWindow(8);
    const fraction = 0.004;
    const passedOver = (polls: Poll[]): Poll[] => {
      const before = polls.filter((poll) => Date.parse(poll.at) < at.getTime()).at(-1);
      const spared = new Map(
        (before && 'videos' in before ? before.videos : [])
          .filter((_, index) => index % 3 === 0)
          .map((video) => [video.id, Math.round(fraction * video.likes)]),
      );
      return polls.map((poll) =>
        Date.parse(poll.at) < at.getTime() || !('videos' in poll)
          ? poll
          : {
              ...poll,
              videos: poll.videos.map((video) => ({
                ...video,
                likes: video.likes + (spared.get(video.id) ?? 0),
              })),
            },
      );
    };
    const { account } = explainOne({
      scenario: { medianViews: 400_000 },
      events: [{ cause: 'inactive_account_cleanup', at, fraction }],
      edit: passedOver,
    });
    expect(account.verdict).toBe('loss');
    expect(account.causes[0]?.cause).toBe('inactive_account_cleanup');
  });

  it('finds a cleanup on an account of three videos when its followers fell by a similar share', () => {
    const threeVideos = { initialVideos: 3, postingIntervalHours: 60 * 24 };
    const { account } = explainOne({
      scenario: threeVideos,
      events: [{ cause: 'inactive_account_cleanup', at: inWindow(10), fraction: 0.01 }],
    });
    expect(account.verdict).toBe('loss');
    expect(account.causes[0]?.cause).toBe('inactive_account_cleanup');
    expect(account.causes[0]?.evidence[0]).toMatch(/^3 of the 3 videos/);
    // The same videos losing likes over hours while followers did not fall alike: people, not a cleanup.
    const { account: unliked } = explainOne({
      scenario: threeVideos,
      events: [
        {
          cause: 'organic_unlikes',
          at: inWindow(6),
          durationHours: 10,
          videoCount: 3,
          fraction: 0.03,
        },
      ],
    });
    expect(unliked.causes.map((cause) => cause.cause)).not.toContain('inactive_account_cleanup');
  });

  it("counts un-liking hidden under a busy video's gains: the likes its new views should have brought", () => {
    // Polled daily: the video's count fell by about a hundred over the night while thousands of new views came
    // in, which alone would have brought hundreds of likes. The drop by itself is within what background takes.
    const { account } = explainOne({
      seed: 2,
      scenario: { medianViews: 400_000, postingIntervalHours: 20 },
      plan: { cadenceHours: 24 },
      events: [
        {
          cause: 'organic_unlikes',
          at: inWindow(4),
          durationHours: 12,
          videoCount: 1,
          fraction: 0.008,
        },
      ],
    });
    expect(account.verdict).toBe('loss');
    expect(account.causes[0]?.cause).toBe('organic_unlikes');
    expect(account.causes[0]?.evidence[0]).toMatch(/while its views kept growing/);
    expect(account.causes[0]?.evidence[1]).toMatch(
      /^Its new views would have brought about [\d,]+ more likes: more people un-liked it/,
    );
  });

  it('counts an old, barely watched video losing likes over hours as un-liking once it is well past background', () => {
    // The oldest videos get a few views a day; the account's own history says such a video loses about 24 likes
    // at most on a night. Each of the `videos` oldest losing `loss` likes gradually over 12 hours of the window:
    const unliking = (loss: number, videos = 1) => {
      let oldest: string[] = [];
      const from = inWindow(4).getTime();
      const hours = 12;
      return explainOne({
        edit: (polls: Poll[]): Poll[] =>
          polls.map((poll): Poll => {
            if (!('videos' in poll)) return poll;
            if (oldest.length === 0)
              oldest = [...poll.videos]
                .sort((a, b) => Date.parse(a.postedAt) - Date.parse(b.postedAt))
                .slice(0, videos)
                .map((video) => video.id);
            const share = Math.min(1, (Date.parse(poll.at) - from) / (hours * 3_600_000));
            if (share <= 0) return poll;
            const taken = Math.round(loss * share);
            return {
              ...poll,
              videos: poll.videos.map((video) =>
                oldest.includes(video.id) ? { ...video, likes: video.likes - taken } : video,
              ),
            };
          }),
      }).account;
    };
    // Two and a half times what background takes: people un-liking it, though it is barely watched.
    const unliked = unliking(60);
    expect(unliked.verdict).toBe('loss');
    expect(unliked.causes[0]?.cause).toBe('organic_unlikes');
    // A handful is what any old video loses now and then.
    expect(unliking(6).verdict).toBe('none');
    // Many quiet videos each losing alike is diffuse, not people reacting to one to a few videos.
    expect(unliking(60, 8).causes.map((cause) => cause.cause)).not.toContain('organic_unlikes');
  });

  it('words the removal of a video with a single like in the singular', () => {
    const gone = inWindow(12).getTime();
    const { account } = explainOne({
      edit: (polls: Poll[]): Poll[] => {
        const first = polls.find((poll) => 'videos' in poll);
        const id = first && 'videos' in first ? first.videos[0]?.id : undefined;
        return polls.map((poll): Poll => {
          if (poll.status !== 'ok') return poll;
          if (Date.parse(poll.at) < gone)
            return {
              ...poll,
              videos: poll.videos.map((video) =>
                video.id === id ? { ...video, likes: 1 } : video,
              ),
            };
          return {
            ...poll,
            profile: { ...poll.profile, videos: poll.profile.videos - 1 },
            videos: poll.videos.filter((video) => video.id !== id),
          };
        });
      },
    });
    expect(account.causes[0]?.cause).toBe('content_removed_or_restricted');
    expect(account.causes[0]?.evidence[0]).toMatch(/^1 video with 1 like disappeared/);
  });

  it('attributes vanished videos to content removal, with their likes as the loss', () => {
    const { account, world } = explainOne({
      events: [{ cause: 'content_removed_or_restricted', at: inWindow(12), videoCount: 1 }],
    });
    const truth = world.outcomes[0]!;
    expect(account.verdict).toBe('loss');
    expect(account.causes[0]?.cause).toBe('content_removed_or_restricted');
    const removed = account.videos.find((video) => video.id === truth.videoIds[0]);
    // The engine counts the likes at the last poll before the video vanished.
    expect(Math.abs((removed?.lost ?? 0) - truth.likesRemoved)).toBeLessThanOrEqual(
      Math.max(3, 0.01 * truth.likesRemoved),
    );
    expect(account.causes[0]?.evidence.join(' ')).toMatch(/cannot be told apart/);
  });

  it('calls a dip that comes back a platform glitch, with the likes restored', () => {
    const { account } = explainOne({
      events: [
        {
          cause: 'platform_glitch',
          at: inWindow(9),
          durationHours: 4,
          mode: 'uniform_drop',
          share: 0.4,
        },
      ],
    });
    expect(account.verdict).toBe('loss');
    expect(account.causes[0]?.cause).toBe('platform_glitch');
    expect(account.likes.restored).toBeGreaterThan(0.8 * account.likes.lost);
  });

  it('sees organic un-liking on a few recent videos', () => {
    const { account } = explainOne({
      scenario: { medianViews: 300_000, postingIntervalHours: 20 },
      events: [
        {
          cause: 'organic_unlikes',
          at: inWindow(3),
          durationHours: 10,
          videoCount: 2,
          fraction: 0.03,
        },
      ],
    });
    expect(account.verdict).toBe('loss');
    expect(account.causes[0]?.cause).toBe('organic_unlikes');
  });

  it('calls an abrupt break in views a slowdown from limited reach', () => {
    const { account } = explainOne({
      scenario: { postingIntervalHours: 20 },
      events: [
        { cause: 'reach_limited', at: new Date(AS_OF.getTime() - 30 * 3_600_000), factor: 0.1 },
      ],
    });
    expect(account.verdict).toBe('slowdown');
    expect(account.causes[0]?.cause).toBe('reach_limited');
    expect(account.causes[0]?.likes).toBe(0);
  });

  it('uses the last poll before the window for a daily-polled account', () => {
    const { account } = explainOne({
      plan: { cadenceHours: 24 },
      events: [{ cause: 'content_removed_or_restricted', at: inWindow(12), videoCount: 1 }],
    });
    expect(account.verdict).toBe('loss');
    expect(account.causes[0]?.cause).toBe('content_removed_or_restricted');
  });
});

describe('explainFleet on gaps in the data', () => {
  it('does not take a video missing from a partial poll for a vanished one', () => {
    const { account } = explainOne({
      edit: (polls) =>
        polls.map((poll, index) =>
          index === polls.length - 3 && poll.status === 'ok'
            ? {
                ...poll,
                status: 'partial',
                reason: 'missing_pages',
                videos: poll.videos.slice(0, 10),
              }
            : poll,
        ),
    });
    expect(account.verdict).toBe('none');
  });

  it('keeps a loss shown by complete polls when the last poll failed', () => {
    const { account } = explainOne({
      events: [{ cause: 'content_removed_or_restricted', at: inWindow(6), videoCount: 1 }],
      edit: (polls) =>
        polls.map((poll, index) =>
          index === polls.length - 1 ? { at: poll.at, status: 'failed' } : poll,
        ),
    });
    expect(account.verdict).toBe('loss');
  });

  it('says unknown when every poll of the night failed', () => {
    const { account } = explainOne({
      edit: (polls) =>
        polls.map((poll) =>
          Date.parse(poll.at) > AS_OF.getTime() - 26 * 3_600_000
            ? { at: poll.at, status: 'failed' }
            : poll,
        ),
    });
    expect(account.verdict).toBe('unknown');
    expect(account.causes).toEqual([]);
  });

  it('has no baseline for a short history, and claims nothing on a quiet night', () => {
    const { account } = explainOne({ historyDays: 1.5 });
    expect(account.likes.baselineGain).toBeNull();
    expect(account.verdict).toBe('none');
  });

  it('does not read rounded counts as losses', () => {
    const { account } = explainOne({
      plan: { rounded: true },
      scenario: { medianViews: 2_000_000 },
    });
    expect(account.verdict).toBe('none');
  });

  it('says unknown for an account without polls, and needs an as-of for a fleet without any', () => {
    const { fleet } = scenarioFleet({});
    const withEmpty = {
      ...fleet,
      accounts: [
        ...fleet.accounts,
        { platform: 'tiktok' as const, id: '1', handle: 'new', polls: [] },
      ],
    };
    expect(explainFleet(withEmpty).accounts[1]?.verdict).toBe('unknown');
    const empty = {
      ...fleet,
      accounts: [{ platform: 'tiktok' as const, id: '1', handle: 'new', polls: [] }],
    };
    expect(() => explainFleet(empty)).toThrow(RangeError);
    expect(explainFleet(empty, { asOf: AS_OF }).accounts[0]?.verdict).toBe('unknown');
  });
});

describe('beginNight', () => {
  it('should explain accounts added one by one as explainFleet does, needing no history once an account is in', () => {
    // Arrange: fleets with every kind of night, some with fleet-wide events that only the fleet shows.
    for (const seed of [1, 2, 3, 4]) {
      const { fleet } = simulateFleet({ seed, accounts: 24 });
      const asOf = new Date('2026-11-24T06:00:00Z');
      const expected = explainFleet(structuredClone(fleet), { asOf });
      // Act: each history is emptied as soon as its account is in, as the digest tick lets it go.
      const night = beginNight(asOf);
      for (const account of fleet.accounts) {
        night.add(account);
        account.polls.length = 0;
      }
      // Assert
      expect(night.finish()).toEqual(expected);
    }
  });

  it('should refuse a night without a valid end', () => {
    expect(() => beginNight(new Date(Number.NaN))).toThrow(RangeError);
  });
});
