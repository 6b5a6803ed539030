/** A small fixed TikTok world and helpers for testing the stats sources against the fake TikTok. */
import type { Account, VideoStats } from '../../core/model.ts';
import type { CredentialVault, PollHints, SourceCredentials } from '../../core/ports.ts';
import type { World } from '../../core/simulate/world.ts';
import { formatInstant } from '../../core/time.ts';

/** The instant the tests poll at. */
export const AT = new Date('2026-11-25T06:00:00Z');

/**
 * 45 public videos with 19-digit ids (beyond 2^53, as TikTok's are), newest first, exact counts; posting times
 * in the contract's spelling, as the sources are to report them.
 */
export const VIDEOS: VideoStats[] = Array.from({ length: 45 }, (_, index) => ({
  id: `73${String(index).padStart(17, '0')}`,
  postedAt: formatInstant(Date.UTC(2026, 10, 20) - index * 20 * 3_600_000),
  views: 123_457 + index,
  likes: 22_609 + index,
  comments: 15_955,
  shares: 259,
  saves: 2_787,
  title: `Video ${index}`,
  url: `https://www.tiktok.com/@maya.bakes/video/73${String(index).padStart(17, '0')}`,
}));

/** The profile: likes are the sum of the videos' likes. */
export const PROFILE = {
  followers: 1_196_403,
  following: 20,
  likes: VIDEOS.reduce((sum, video) => sum + video.likes, 0),
  videos: VIDEOS.length,
};

/** One account whose counts do not move. */
export const WORLD: World = {
  accounts: [{ id: '6659752019493208069', handle: 'maya.bakes', displayName: 'Maya' }],
  observe: () => ({ profile: PROFILE, videos: VIDEOS }),
};

/** The watched account, for the given source. */
export function account(source: Account['source']): Account {
  return {
    platform: 'tiktok',
    id: '6659752019493208069',
    handle: 'maya.bakes',
    source,
    status: 'active',
    addedAt: '2026-11-01T00:00:00Z',
  };
}

/** An in-memory vault that records every write. */
export class MemoryVault implements CredentialVault {
  readonly writes: SourceCredentials[] = [];
  constructor(private readonly credentials: Record<string, SourceCredentials> = {}) {}
  async getCredentials(accountId: string) {
    return this.credentials[accountId];
  }
  async getManyCredentials(accountIds: readonly string[]) {
    return credentialsOf(this.credentials, accountIds);
  }
  async putCredentials(accountId: string, credentials: SourceCredentials) {
    this.credentials[accountId] = credentials;
    this.writes.push(credentials);
  }
}

/** The stored credentials of `accountIds`, as a vault's batch read returns them. */
export function credentialsOf(
  credentials: Readonly<Record<string, SourceCredentials>>,
  accountIds: readonly string[],
): Map<string, SourceCredentials> {
  const found = new Map<string, SourceCredentials>();
  for (const id of accountIds) {
    const stored = credentials[id];
    if (stored) found.set(id, stored);
  }
  return found;
}

/** Hints that know every video of the account (as after an earlier complete poll). */
export const KNOWN_ALL: PollHints = { knownVideoIds: async () => VIDEOS.map((video) => video.id) };

/** Fast, bounded retries so fault tests stay quick. */
export const FAST_RETRY = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 };
