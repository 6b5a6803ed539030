import { describe, expect, it } from 'vitest';
import { simulateFleet } from '../../../../core/simulate/fleet.ts';
import { scenariosNeedingMoreHistory } from '../../../../core/simulate/fleet-scenarios.ts';
import { DAY_MS, HOUR_MS } from '../../../../core/time.ts';

describe('the size limits of a labelled fleet', () => {
  it('should change nothing when they do not bind', () => {
    const unlimited = simulateFleet({ seed: 11, accounts: 6 });
    const loose = simulateFleet({ seed: 11, accounts: 6, maxHistoryDays: 55, maxVideos: 2500 });
    expect(loose).toEqual(unlimited);
  });

  it('should keep every account within the history and the back catalogue asked for', () => {
    const { fleet, labels } = simulateFleet({
      seed: 5,
      accounts: 12,
      maxHistoryDays: 6,
      maxVideos: 8,
    });
    const asOfMs = Date.parse(labels.asOf);
    for (const account of fleet.accounts) {
      const first = account.polls[0];
      expect(asOfMs - Date.parse(first?.at ?? '')).toBeLessThanOrEqual(6 * DAY_MS);
      // The world starts an hour before the first planned poll: videos older than that are its back catalogue.
      const worldStartMs = asOfMs - 6 * DAY_MS - HOUR_MS;
      const catalogue = new Set(
        account.polls.flatMap((poll) =>
          (poll.status === 'failed' ? [] : poll.videos)
            .filter((video) => Date.parse(video.postedAt) < worldStartMs)
            .map((video) => video.id),
        ),
      );
      expect(catalogue.size).toBeLessThanOrEqual(8);
    }
  });

  it('should not draw the scenarios whose story needs more history than allowed', () => {
    expect(scenariosNeedingMoreHistory(12)).toEqual(['thinned_history', 'audience_shift']);
    const drawn = [1, 2, 3].flatMap(
      (seed) =>
        simulateFleet({ seed, accounts: 24, maxHistoryDays: 7, maxVideos: 5 }).labels.accounts,
    );
    const scenarios = new Set(drawn.map((label) => label.scenario));
    for (const excluded of scenariosNeedingMoreHistory(7))
      expect(scenarios).not.toContain(excluded);
    // The rest of the mix is still there.
    expect(scenarios.size).toBeGreaterThan(8);
  });
});
