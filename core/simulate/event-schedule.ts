/**
 * The injected events of one simulated account (fake-like purges, cleanups, removals, reach limits, glitches,
 * organic unlikes) turned into what the hourly loop of `account-simulation.ts` applies, tick by tick.
 */
import { HOUR_MS } from '../time.ts';
import type { AccountSimulation, Glitch, InstantCounts, VideoPlan } from './account-simulation.ts';
import type { Random } from './random.ts';
import type { EventOutcome } from './world-spec.ts';

/**
 * Turns the scenario's events into per-tick effects for `simulation`, drawing from its random stream (so the
 * order of draws is part of the world's determinism). `openingLikes` holds the back catalogue's opening
 * counts, which fake bursts that predate the start add to.
 */
export function scheduleEvents(simulation: AccountSimulation, openingLikes: Float64Array) {
  const { random, videos, ticks, scenario } = simulation;
  const instant: { tick: number; apply: (counts: InstantCounts) => void }[] = [];
  const reach: { fromTick: number; untilTick: number; factor: number; onsetMs: number }[] = [];
  const unlikeSpells: {
    fromTick: number;
    untilTick: number;
    /** Expected extra unlikes per hour, per affected video index. */
    perHour: Map<number, number>;
    outcome: EventOutcome;
  }[] = [];
  const glitches: Glitch[] = [];
  const lastTick = ticks - 1;
  const record = (outcome: EventOutcome) => simulation.outcomes.push(outcome);

  for (const event of scenario.events ?? []) {
    if (event.cause === 'audience_shift') {
      record({
        accountId: scenario.id,
        cause: event.cause,
        at: event.from,
        until: event.to,
        videoIds: [],
        likesRemoved: 0,
      });
      continue;
    }
    const tick = simulation.tickAtOrAfter(event.at);
    const at = new Date(simulation.tickTime(tick));
    if (tick > lastTick) continue;
    switch (event.cause) {
      case 'fake_engagement_purge': {
        const burstMs = (
          event.burstAt ?? new Date(event.at.getTime() - 10 * 24 * HOUR_MS)
        ).getTime();
        const burstTick = Math.max(0, Math.ceil((burstMs - simulation.startMs) / HOUR_MS));
        const eligible = videos
          .map((video, index) => ({ video, index }))
          .filter(({ video }) => video.postedAtMs <= burstMs - 3 * 24 * HOUR_MS);
        const maxVictims = Math.max(1, Math.floor(eligible.length / 3));
        const victimCount = Math.min(Math.max(1, event.videoCount), maxVictims, eligible.length);
        if (victimCount === 0) break;
        const purgeMs = simulation.tickTime(tick);
        const naturalLikes = (index: number) =>
          simulation.expectedViews(videos[index] as VideoPlan, purgeMs) *
          (videos[index] as VideoPlan).likeRate;
        let chosen: { index: number; excess: number }[];
        if (event.removedLikes !== undefined) {
          // Size every burst alike; prefer videos on which it makes a 2.5x–20x ratio outlier.
          const perVideo = event.removedLikes / victimCount / event.removedShare;
          const fitting = eligible.filter(({ index }) => {
            const natural = naturalLikes(index);
            return natural <= perVideo / 1.5 && natural >= perVideo / 19;
          });
          const pool = fitting.length >= victimCount ? fitting : eligible;
          chosen = random
            .sample(pool, victimCount)
            .map(({ index }) => ({ index, excess: Math.round(perVideo) }));
        } else {
          const multiplier = event.ratioMultiplier ?? 5;
          chosen = random.sample(eligible, victimCount).map(({ index }) => ({
            index,
            excess: Math.round((multiplier - 1) * naturalLikes(index)),
          }));
        }
        for (const { index, excess } of chosen) {
          const plan = videos[index] as VideoPlan;
          const arrival = Math.max(burstTick, plan.firstTick);
          if (arrival === 0) {
            openingLikes[index * ticks] = (openingLikes[index * ticks] as number) + excess;
          } else if (arrival <= lastTick) {
            instant.push({
              tick: arrival,
              apply: ({ likes }) => {
                likes[index * ticks + arrival] =
                  (likes[index * ticks + arrival] as number) + excess;
              },
            });
          }
        }
        const outcome: EventOutcome = {
          accountId: scenario.id,
          cause: event.cause,
          at,
          videoIds: chosen.map(({ index }) => (videos[index] as VideoPlan).id),
          likesRemoved: 0,
        };
        record(outcome);
        instant.push({
          tick,
          apply: ({ likes, followers }) => {
            for (const { index, excess } of chosen) {
              const cell = index * ticks + tick;
              const removed = Math.min(
                likes[cell] as number,
                Math.round(excess * event.removedShare * random.between(0.92, 1.05)),
              );
              likes[cell] = (likes[cell] as number) - Math.min(removed, excess);
              outcome.likesRemoved += Math.min(removed, excess);
            }
            followers[tick] = Math.round(
              (followers[tick] as number) * (1 - (event.followerShare ?? 0.002)),
            );
          },
        });
        break;
      }
      case 'inactive_account_cleanup': {
        const outcome: EventOutcome = {
          accountId: scenario.id,
          cause: event.cause,
          at,
          videoIds: [],
          likesRemoved: 0,
        };
        record(outcome);
        instant.push({
          tick,
          apply: ({ likes, followers }) => {
            for (const index of simulation.publicVideos(tick)) {
              const cell = index * ticks + tick;
              const current = likes[cell] as number;
              if (current <= 0) continue;
              const share = event.fraction * 1.5 ** random.between(-0.8, 0.8);
              const removed = Math.min(current, random.roundStochastic(current * share));
              if (removed === 0) continue;
              likes[cell] = current - removed;
              outcome.likesRemoved += removed;
              outcome.videoIds.push((videos[index] as VideoPlan).id);
            }
            followers[tick] = Math.round(
              (followers[tick] as number) * (1 - event.fraction * random.between(0.8, 1.2)),
            );
          },
        });
        break;
      }
      case 'content_removed_or_restricted': {
        const candidates = simulation.publicVideos(tick);
        const chosen = random.sample(candidates, Math.max(1, event.videoCount));
        const mode = event.mode ?? 'removed';
        const outcome: EventOutcome = {
          accountId: scenario.id,
          cause: event.cause,
          at,
          videoIds: chosen.map((index) => (videos[index] as VideoPlan).id),
          likesRemoved: 0,
        };
        record(outcome);
        for (const index of chosen) {
          const plan = videos[index] as VideoPlan;
          if (mode === 'removed') plan.removedTick = tick;
          else plan.restrictedTick = tick;
        }
        if (mode === 'removed') {
          instant.push({
            tick,
            apply: ({ likes }) => {
              for (const index of chosen)
                outcome.likesRemoved += likes[index * ticks + tick - 1] as number;
            },
          });
        }
        break;
      }
      case 'reach_limited': {
        const untilTick = event.until
          ? simulation.tickAtOrAfter(event.until)
          : Number.POSITIVE_INFINITY;
        reach.push({
          fromTick: tick,
          untilTick,
          factor: event.factor,
          onsetMs: simulation.tickTime(tick),
        });
        record({
          accountId: scenario.id,
          cause: event.cause,
          at,
          ...(event.until ? { until: event.until } : {}),
          videoIds: [],
          likesRemoved: 0,
        });
        break;
      }
      case 'platform_glitch': {
        const untilTick = Number.isFinite(event.durationHours)
          ? tick + Math.max(1, Math.round(event.durationHours))
          : Number.POSITIVE_INFINITY;
        const candidates = simulation.publicVideos(tick);
        const hit = random.sample(
          candidates,
          Math.max(1, Math.round(candidates.length * (event.videoShare ?? 1))),
        );
        glitches.push({
          fromTick: tick,
          untilTick,
          mode: event.mode,
          share: event.share ?? 0.5,
          videos: new Set(hit),
        });
        record({
          accountId: scenario.id,
          cause: event.cause,
          at,
          ...(Number.isFinite(untilTick)
            ? { until: new Date(simulation.tickTime(untilTick)) }
            : {}),
          videoIds: hit.map((index) => (videos[index] as VideoPlan).id),
          likesRemoved: 0,
        });
        break;
      }
      case 'organic_unlikes': {
        const atMs = simulation.tickTime(tick);
        const candidates = simulation.publicVideos(tick);
        // Recent videos still getting views; the newest ones when nothing is recent.
        const recent = candidates.filter(
          (index) => atMs - (videos[index] as VideoPlan).postedAtMs <= 7 * 24 * HOUR_MS,
        );
        const pool =
          recent.length >= event.videoCount ? recent : candidates.slice(0, event.videoCount);
        const chosen = random.sample(pool, event.videoCount);
        const untilTick = tick + Math.max(2, Math.round(event.durationHours));
        const perHour = new Map<number, number>();
        const outcome: EventOutcome = {
          accountId: scenario.id,
          cause: event.cause,
          at,
          until: new Date(simulation.tickTime(untilTick)),
          videoIds: chosen.map((index) => (videos[index] as VideoPlan).id),
          likesRemoved: 0,
        };
        record(outcome);
        unlikeSpells.push({ fromTick: tick, untilTick, perHour, outcome });
        // The rate is fixed when the spell starts, from the likes the video has then.
        instant.push({
          tick,
          apply: ({ likes }) => {
            for (const index of chosen) {
              const current = likes[index * ticks + tick - 1] as number;
              perHour.set(index, (current * event.fraction) / (untilTick - tick));
            }
          },
        });
        break;
      }
    }
  }
  // Per-tick lookups: instant events grouped by tick; spells applied inside the hourly loop.
  const instantByTick = new Map<number, ((counts: InstantCounts) => void)[]>();
  for (const { tick, apply } of instant) {
    const list = instantByTick.get(tick) ?? [];
    list.push(apply);
    instantByTick.set(tick, list);
  }
  return {
    glitches,
    reachFactor(tick: number, plan: VideoPlan): number {
      let factor = 1;
      for (const spell of reach) {
        if (tick < spell.fromTick || tick >= spell.untilTick) continue;
        // The For You feed carries new videos; old ones also get profile and search traffic.
        const oldVideo = plan.postedAtMs < spell.onsetMs - 7 * 24 * HOUR_MS;
        factor *= oldVideo ? spell.factor ** 0.75 : spell.factor;
      }
      return factor;
    },
    extraUnlikes(tick: number, video: number, rng: Random): number {
      let extra = 0;
      for (const spell of unlikeSpells) {
        if (tick <= spell.fromTick || tick > spell.untilTick) continue;
        const rate = spell.perHour.get(video);
        if (rate === undefined) continue;
        const taken = rng.poisson(rate);
        extra += taken;
        spell.outcome.likesRemoved += taken;
      }
      return extra;
    },
    commentBoost(tick: number, video: number): number {
      for (const spell of unlikeSpells) {
        if (tick > spell.fromTick && tick <= spell.untilTick && spell.perHour.has(video)) return 4;
      }
      return 1;
    },
    applyInstantEvents(tick: number, counts: InstantCounts): void {
      for (const apply of instantByTick.get(tick) ?? []) apply(counts);
    },
  };
}
