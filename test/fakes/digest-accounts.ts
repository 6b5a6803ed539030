/**
 * Hand-built inputs for the digest composer, shared by its unit, browser and security tests: small poll
 * histories and engine verdicts.
 */
import type { DigestAccountInput, DigestInput } from '../../core/digest/compose.ts';
import type {
  Account,
  AccountExplanation,
  Poll,
  Subscriber,
  VideoStats,
} from '../../core/model.ts';

export const WINDOW = { from: '2026-11-24T06:00:00Z', to: '2026-11-25T06:00:00Z' };

export function subscriber(overrides: Partial<Subscriber> = {}): Subscriber {
  return {
    id: 'sub-1',
    email: 'creator@example.com',
    timeZone: 'Europe/Berlin',
    deliveryHour: 7,
    quietNights: 'all_clear',
    accountIds: ['acc-1'],
    ...overrides,
  };
}

export function account(id: string, handle: string, overrides: Partial<Account> = {}): Account {
  return {
    platform: 'tiktok',
    id,
    handle,
    source: 'display_api',
    status: 'active',
    addedAt: '2026-10-01T00:00:00Z',
    ...overrides,
  };
}

export function explanation(
  id: string,
  handle: string,
  overrides: Partial<AccountExplanation> = {},
): AccountExplanation {
  return {
    id,
    handle,
    verdict: 'none',
    likes: { lost: 0, restored: 0, gained: 300, baselineGain: 310 },
    causes: [],
    videos: [],
    ...overrides,
  };
}

export function video(id: string, likes: number, overrides: Partial<VideoStats> = {}): VideoStats {
  return {
    id,
    postedAt: '2026-11-01T12:00:00Z',
    views: likes * 20,
    likes,
    comments: 10,
    shares: 1,
    saves: null,
    ...overrides,
  };
}

export function okPoll(at: string, videos: VideoStats[]): Poll {
  const likes = videos.reduce((sum, item) => sum + item.likes, 0);
  return {
    at,
    status: 'ok',
    profile: { followers: 1000, following: 5, likes, videos: videos.length },
    videos,
  };
}

export function failedPoll(
  at: string,
  reason?: Extract<Poll, { status: 'failed' }>['reason'],
): Poll {
  return reason === undefined ? { at, status: 'failed' } : { at, status: 'failed', reason };
}

/** An ordinary night for an account. */
export function quietAccount(id: string, handle: string): DigestAccountInput {
  return {
    account: account(id, handle),
    explanation: explanation(id, handle),
    polls: [
      okPoll('2026-11-24T05:00:00Z', [video('v1', 100)]),
      okPoll('2026-11-25T05:00:00Z', [video('v1', 120)]),
    ],
  };
}

/** A night where a fake-like purge removed 1,240 likes, mostly from one video. */
export function purgedAccount(id = 'acc-purge', handle = 'purged'): DigestAccountInput {
  const before = [
    video('v-burst', 5200, {
      title: 'Dance challenge',
      url: 'https://www.tiktok.com/@purged/video/1',
    }),
    video('v-other', 900, {
      title: 'Cooking pasta',
      url: 'https://www.tiktok.com/@purged/video/2',
    }),
  ];
  const after = [
    video('v-burst', 4300, {
      title: 'Dance challenge',
      url: 'https://www.tiktok.com/@purged/video/1',
    }),
    video('v-other', 560, {
      title: 'Cooking pasta',
      url: 'https://www.tiktok.com/@purged/video/2',
    }),
  ];
  return {
    account: account(id, handle),
    explanation: explanation(id, handle, {
      verdict: 'loss',
      likes: { lost: 1240, restored: 0, gained: 310, baselineGain: 420 },
      causes: [
        {
          cause: 'fake_engagement_purge',
          confidence: 0.82,
          likes: 1180,
          evidence: [
            '2 videos with a like-to-view ratio 6x your norm lost 1,180 likes between 02:00 and 03:00 UTC',
          ],
        },
        {
          cause: 'organic_unlikes',
          confidence: 0.11,
          likes: 60,
          evidence: ['A few likes went missing gradually on one recent video'],
        },
      ],
      videos: [
        { id: 'v-burst', lost: 900, restored: 0, cause: 'fake_engagement_purge' },
        { id: 'v-other', lost: 340, restored: 0, cause: 'fake_engagement_purge' },
      ],
    }),
    polls: [okPoll('2026-11-24T05:00:00Z', before), okPoll('2026-11-25T05:00:00Z', after)],
  };
}

/** A night where likes came in 70% slower than the baseline, probably because of reach limits. */
export function slowedAccount(id = 'acc-slow', handle = 'slowed'): DigestAccountInput {
  return {
    account: account(id, handle),
    explanation: explanation(id, handle, {
      verdict: 'slowdown',
      likes: { lost: 0, restored: 0, gained: 120, baselineGain: 400 },
      causes: [
        {
          cause: 'reach_limited',
          confidence: 0.55,
          likes: 0,
          evidence: [
            'Views on your 3 newest videos grew at 12% of their usual pace since 18:00 UTC',
          ],
        },
      ],
    }),
    polls: [
      okPoll('2026-11-24T05:00:00Z', [video('v1', 1000)]),
      okPoll('2026-11-25T05:00:00Z', [video('v1', 1120)]),
    ],
  };
}

/** A night where every poll after the first failed on a bot check. */
export function unreadableAccount(id = 'acc-dark', handle = 'unreadable'): DigestAccountInput {
  return {
    account: account(id, handle),
    explanation: explanation(id, handle, {
      verdict: 'unknown',
      likes: { lost: 0, restored: 0, gained: 0, baselineGain: null },
    }),
    polls: [
      okPoll('2026-11-24T05:00:00Z', [video('v1', 1000)]),
      failedPoll('2026-11-24T17:00:00Z', 'timeout'),
      failedPoll('2026-11-25T05:00:00Z', 'bot_check'),
    ],
  };
}

export const LINKS: DigestInput['links'] = {
  preferences: 'https://likewatch.example.com/preferences?token=abc',
  unsubscribe: 'https://likewatch.example.com/unsubscribe?token=abc',
  history: (accountId) =>
    `https://likewatch.example.com/history?account=${encodeURIComponent(accountId)}`,
  reconnect: (accountId) =>
    `https://likewatch.example.com/reconnect/${encodeURIComponent(accountId)}`,
};

export function digestInput(
  accounts: DigestAccountInput[],
  overrides: Partial<DigestInput> = {},
): DigestInput {
  return {
    subscriber: subscriber(),
    localDate: '2026-11-25',
    window: WINDOW,
    accounts,
    links: LINKS,
    ...overrides,
  };
}
