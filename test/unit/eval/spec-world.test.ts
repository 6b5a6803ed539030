import { describe, expect, it } from 'vitest';
import { Cause, Fleet, type FleetAccount, type VideoStats } from '../../../core/model.ts';
import { DAY_MS, HOUR_MS } from '../../../core/time.ts';
import {
  generateSpecFleet,
  generateSpecWorld,
  type SpecWorld,
  trueViews,
} from '../../../eval/spec-world/index.ts';
import { Rng } from '../../../eval/spec-world/rng.ts';

const ACCOUNTS = 27;
const SEEDS = [1, 2, 3];
const worlds = new Map<number, SpecWorld>();

/** The spec world of `seed` (generated once per test file). */
function world(seed: number): SpecWorld {
  let generated = worlds.get(seed);
  if (!generated) {
    generated = generateSpecWorld({ seed, accounts: ACCOUNTS });
    worlds.set(seed, generated);
  }
  return generated;
}

/** Every account of the seeds with its label and fleet entry. */
function everyAccount() {
  return SEEDS.flatMap((seed) => {
    const generated = world(seed);
    return generated.accounts.map((account, index) => ({
      generated,
      account,
      label: generated.specFleet.labels[index]!,
      fleetAccount: generated.specFleet.fleet.accounts[index]!,
    }));
  });
}

function videosOf(fleetAccount: FleetAccount, at: number): Map<string, VideoStats> {
  const poll = fleetAccount.polls.find((candidate) => Date.parse(candidate.at) === at);
  if (!poll || poll.status === 'failed') return new Map();
  return new Map(poll.videos.map((video) => [video.id, video]));
}

describe('spec world: the fleet document', () => {
  it('parses as likewatch.fleet/v1, with polls in time order and none after asOf', () => {
    const { fleet, asOf } = world(1).specFleet;
    expect(() => Fleet.parse(fleet)).not.toThrow();
    const end = Date.parse(asOf);
    for (const account of fleet.accounts) {
      const instants = account.polls.map((poll) => Date.parse(poll.at));
      for (let index = 1; index < instants.length; index++) {
        expect(instants[index]!).toBeGreaterThan(instants[index - 1]!);
      }
      const last = instants[instants.length - 1]!;
      expect(last).toBeLessThanOrEqual(end);
      expect(end - last).toBeLessThanOrEqual(10 * 60_000);
      for (const poll of account.polls) {
        expect(poll.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        if (poll.status === 'failed')
          expect(Object.keys(poll).sort()).toEqual(['at', 'reason', 'status']);
      }
    }
  });

  it('labels every account, in fleet order', () => {
    const { fleet, labels } = world(2).specFleet;
    expect(labels.map((label) => label.id)).toEqual(fleet.accounts.map((account) => account.id));
    expect(labels.map((label) => label.handle)).toEqual(
      fleet.accounts.map((account) => account.handle),
    );
    expect(new Set(labels.map((label) => label.handle)).size).toBe(labels.length);
  });

  it('flags every poll of a rounding account and rounds its counts to three significant digits', () => {
    const rounded = everyAccount().filter(({ account }) => account.world.rounded);
    expect(rounded.length).toBeGreaterThan(0);
    const unflagged: string[] = [];
    const unrounded: number[] = [];
    for (const { fleetAccount } of rounded) {
      for (const poll of fleetAccount.polls) {
        if (poll.status === 'failed') continue;
        if (poll.rounded !== true) unflagged.push(poll.at);
        for (const video of poll.videos) {
          for (const count of [video.views, video.likes]) {
            if (count >= 1000 && String(count).replace(/0+$/, '').length > 3) unrounded.push(count);
          }
        }
      }
    }
    expect(unflagged).toEqual([]);
    expect(unrounded).toEqual([]);
  });
});

describe('spec world: reproducibility', () => {
  it('gives byte-identical fleets for the same options, different ones for another seed', () => {
    const options = { seed: 11, accounts: 9, asOf: new Date('2026-11-24T06:00:00Z') };
    const first = JSON.stringify(generateSpecFleet(options));
    expect(JSON.stringify(generateSpecFleet(options))).toBe(first);
    expect(JSON.stringify(generateSpecFleet({ ...options, seed: 12 }))).not.toBe(first);
  });

  it('ends the window at the asOf it is given', () => {
    const asOf = new Date('2026-03-02T09:30:00Z');
    const { fleet, asOf: end } = generateSpecFleet({ seed: 5, accounts: 4, asOf });
    expect(end).toBe('2026-03-02T09:30:00Z');
    for (const account of fleet.accounts) {
      const last = account.polls[account.polls.length - 1]!;
      expect(Date.parse(last.at)).toBeLessThanOrEqual(asOf.getTime());
    }
  });

  it('draws the same numbers from the same seed, whatever other streams drew', () => {
    const parent = new Rng(42);
    const before = parent.fork('x').next();
    parent.next();
    expect(parent.fork('x').next()).toBe(before);
    expect(new Rng(42).fork('y').next()).not.toBe(before);
  });
});

describe('spec world: labels', () => {
  it('covers every label across a few seeds: none, unknown and all seven causes', () => {
    const seen = new Set(everyAccount().map(({ label }) => label.topCause));
    for (const expected of ['none', 'unknown', ...Cause.options]) expect(seen).toContain(expected);
  });

  it('pairs verdicts with top causes as the cause specification does', () => {
    const slowdowns = new Set(['reach_limited', 'audience_shift', 'content_removed_or_restricted']);
    for (const { label } of everyAccount()) {
      if (label.verdict === 'none' || label.verdict === 'unknown')
        expect(label.topCause).toBe(label.verdict);
      if (label.verdict === 'slowdown') expect(slowdowns).toContain(label.topCause);
      if (label.verdict === 'loss') {
        expect(['reach_limited', 'audience_shift']).not.toContain(label.topCause);
      }
    }
  });

  it('labels every ordinary night none or unknown, never a cause', () => {
    for (const { label } of everyAccount()) {
      if (label.scenario.startsWith('ordinary') || label.scenario.startsWith('gap-')) {
        expect(['none', 'unknown']).toContain(label.topCause);
      }
    }
  });
});

describe('spec world: the world behaves as the cause specification says', () => {
  it('never lets views fall outside a glitch', () => {
    let compared = 0;
    const falls: string[] = [];
    for (const { account, fleetAccount } of everyAccount()) {
      if (account.plan.glitch) continue;
      const last = new Map<string, number>();
      for (const poll of fleetAccount.polls) {
        if (poll.status === 'failed') continue;
        for (const video of poll.videos) {
          const previous = last.get(video.id);
          if (previous !== undefined) {
            compared++;
            if (video.views < previous) falls.push(`${fleetAccount.handle} ${video.id} ${poll.at}`);
          }
          last.set(video.id, video.views);
        }
      }
    }
    expect(falls).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
  });

  it('shows a single-account cleanup as most videos down by a similar fraction between two polls', () => {
    const cleanups = everyAccount().filter(
      ({ label, account }) =>
        label.topCause === 'inactive_account_cleanup' &&
        // Alone in its interval (no fleet wave), possibly with a few un-likes elsewhere on the account.
        account.setup.scenario.includes('cleanup-single') &&
        !account.world.rounded,
    );
    expect(cleanups.length).toBeGreaterThan(0);
    for (const { account, fleetAccount } of cleanups) {
      const cleanup = account.plan.cleanup!;
      const ok = account.polls.filter((poll) => poll.status === 'ok');
      const before = ok.filter((poll) => poll.at < cleanup.at).pop()!;
      const after = ok.find((poll) => poll.at > cleanup.at)!;
      const then = videosOf(fleetAccount, before.at);
      const fractions: number[] = [];
      let measurable = 0;
      for (const [id, video] of videosOf(fleetAccount, after.at)) {
        const earlier = then.get(id);
        // A video can show the cleanup when it takes a few likes; busy videos' gains may hide it.
        if (!earlier || earlier.likes * cleanup.fraction < 5) continue;
        measurable++;
        if (video.likes < earlier.likes)
          fractions.push((earlier.likes - video.likes) / earlier.likes);
      }
      expect(measurable).toBeGreaterThanOrEqual(3);
      expect(fractions.length / measurable).toBeGreaterThan(0.5);
      fractions.sort((a, b) => a - b);
      const median = fractions[Math.floor(fractions.length / 2)]!;
      expect(median).toBeGreaterThan(cleanup.fraction / 3);
      expect(median).toBeLessThan(cleanup.fraction * 3);
      const similar = fractions.filter(
        (fraction) => fraction > median / 2.5 && fraction < median * 2.5,
      );
      expect(similar.length / fractions.length).toBeGreaterThan(0.7);
    }
  });

  it('slows a reach-limited account to at most 30% of its usual view pace after the onset', () => {
    const limited = everyAccount().filter(({ label }) => label.topCause === 'reach_limited');
    expect(limited.length).toBeGreaterThan(0);
    const againstBefore: number[] = [];
    for (const { generated, account } of limited) {
      const onset = account.plan.reachLimit!.onset;
      const span = Math.min(account.world.asOf - onset, DAY_MS);
      const pace = (views: number[]) => (views[1]! - views[0]!) / (span / HOUR_MS);
      const after = pace(trueViews(generated, account, [onset, onset + span]));
      const usual = pace(trueViews(generated, account, [onset, onset + span], true));
      // The same clock hours the day before the onset: the daily cycle cancels out.
      const before = pace(trueViews(generated, account, [onset - DAY_MS, onset - DAY_MS + span]));
      expect(after).toBeLessThanOrEqual(0.3 * usual);
      expect(after).toBeLessThanOrEqual(0.5 * before);
      againstBefore.push(after / before);
    }
    againstBefore.sort((a, b) => a - b);
    expect(againstBefore[Math.floor(againstBefore.length / 2)]!).toBeLessThanOrEqual(0.3);
  });

  it('leaves the purged videos of a purge with a like-to-view ratio well above the account norm before it', () => {
    const purges = everyAccount().filter(
      ({ label, account }) => label.topCause === 'fake_engagement_purge' && account.plan.purge,
    );
    expect(purges.length).toBeGreaterThan(0);
    for (const { account, fleetAccount } of purges) {
      const purge = account.plan.purge!;
      const before = account.polls
        .filter((poll) => poll.status === 'ok' && poll.at < purge.removeAt)
        .pop();
      if (!before) continue;
      const videos = videosOf(fleetAccount, before.at);
      const ratio = (index: number) => {
        const video = videos.get(account.world.videos[index]!.id);
        return video && video.views > 0 ? video.likes / video.views : undefined;
      };
      const others = account.world.videos
        .map((_, index) => (purge.videos.includes(index) ? undefined : ratio(index)))
        .filter((value): value is number => value !== undefined)
        .sort((a, b) => a - b);
      const purged = purge.videos
        .map(ratio)
        .filter((value): value is number => value !== undefined);
      if (others.length === 0 || purged.length === 0) continue;
      const norm = others[Math.floor(others.length / 2)]!;
      expect(Math.max(...purged)).toBeGreaterThan(1.5 * norm);
    }
  });

  it('stops a restricted video’s views while it stays listed, and takes vanished videos off ok polls', () => {
    const accounts = everyAccount().filter(
      ({ label }) => label.topCause === 'content_removed_or_restricted',
    );
    expect(accounts.length).toBeGreaterThan(0);
    for (const { account, fleetAccount } of accounts) {
      const ok = account.polls.filter((poll) => poll.status === 'ok');
      for (const removal of account.plan.removals) {
        for (const poll of ok.filter((candidate) => candidate.at > removal.at)) {
          const listed = videosOf(fleetAccount, poll.at);
          for (const video of removal.videos)
            expect(listed.has(account.world.videos[video]!.id)).toBe(false);
        }
      }
      const restricted = account.plan.restricted;
      if (!restricted) continue;
      const id = account.world.videos[restricted.video]!.id;
      const after = ok.filter((poll) => poll.at > restricted.at + HOUR_MS);
      const views = after.map((poll) => videosOf(fleetAccount, poll.at).get(id)?.views);
      expect(views.every((value) => value !== undefined)).toBe(true);
      if (views.length >= 2) {
        const grown = views[views.length - 1]! - views[0]!;
        expect(grown).toBeLessThanOrEqual(0.05 * views[0]! + 10);
      }
    }
  });

  it('misses no video from an ok poll unless it vanished, and lists only some in a partial one', () => {
    let partials = 0;
    for (const { account, fleetAccount } of everyAccount()) {
      for (const poll of fleetAccount.polls) {
        if (poll.status === 'failed') continue;
        const at = Date.parse(poll.at);
        const publicVideos = account.world.videos.filter(
          (video, index) => video.postedAt <= at && at <= account.truth.vanishAt[index]!,
        ).length;
        if (poll.status === 'ok') {
          expect(poll.videos.length).toBe(publicVideos);
          expect(poll.profile.videos).toBe(publicVideos);
        }
        if (poll.status === 'partial' && publicVideos > 1) {
          partials++;
          expect(poll.videos.length).toBeLessThan(publicVideos);
        }
      }
    }
    expect(partials).toBeGreaterThan(0);
  });
});
