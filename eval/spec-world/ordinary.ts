/**
 * The ordinary side of an account's night: old videos resurfacing, a flop the creator deletes, and the gaps in
 * the monitor's own data that the data-gap scenarios inject.
 */
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import { type AccountWorld, type Video, videoId } from './account.ts';
import {
  FLOP_AGE_HOURS,
  FLOP_DELETED_HOURS,
  FLOP_REACH,
  LATE_SHARE,
  MANY_FAILED_SHARE,
  OUTAGE_SHARE,
  PARTIAL_SHARE,
  RESURFACE_TONIGHT_HOURS,
  SOME_FAILED_SHARE,
} from './cause-params.ts';
import type { GapPlan, Removal, Resurfacing } from './events.ts';
import {
  RESURFACE_EXTRA,
  RESURFACE_MEDIAN_HOURS,
  RESURFACE_MIN_AGE_DAYS,
  RESURFACE_PER_30_DAYS,
  WINDOW_MS,
} from './params.ts';
import type { Rng } from './rng.ts';

/** Adds a flop the creator deletes in the window (a hard ordinary night); returns its removal. */
export function addFlop(rng: Rng, world: AccountWorld): Removal {
  const at = world.asOf - rng.uniform(FLOP_DELETED_HOURS[0], FLOP_DELETED_HOURS[1]) * HOUR_MS;
  const postedAt =
    Math.floor((at - rng.uniform(FLOP_AGE_HOURS[0], FLOP_AGE_HOURS[1]) * HOUR_MS) / 1000) * 1000;
  const model = world.videos[world.videos.length - 1] as Video;
  const flop: Video = {
    ...model,
    id: videoId(rng, postedAt),
    postedAt,
    reach: rng.uniform(FLOP_REACH[0], FLOP_REACH[1]),
  };
  const position = world.videos.findIndex((video) => video.postedAt > postedAt);
  const index = position < 0 ? world.videos.length : position;
  world.videos.splice(index, 0, flop);
  return { at, videos: [index], byCreator: true };
}

/**
 * Old videos resurfacing now and then through the history (background), plus one around the judged night when
 * `tonight` (a hard ordinary night).
 */
export function planResurfacings(rng: Rng, world: AccountWorld, tonight: boolean): Resurfacing[] {
  const { videos, asOf, historyStart } = world;
  const historyDays = (asOf - historyStart) / DAY_MS;
  const count = rng.poisson((RESURFACE_PER_30_DAYS * historyDays) / 30) + (tonight ? 1 : 0);
  const surfacings: Resurfacing[] = [];
  for (let index = 0; index < count; index++) {
    const last = tonight && index === count - 1;
    const at = last
      ? asOf - rng.uniform(RESURFACE_TONIGHT_HOURS[0], RESURFACE_TONIGHT_HOURS[1]) * HOUR_MS
      : rng.uniform(historyStart, asOf);
    const oldest = at - RESURFACE_MIN_AGE_DAYS * DAY_MS;
    const old = videos.flatMap((video, position) => (video.postedAt <= oldest ? [position] : []));
    if (old.length === 0) continue;
    const video = rng.pick(old);
    surfacings.push({
      video,
      at,
      extraViews:
        (videos[video] as Video).reach * rng.uniform(RESURFACE_EXTRA[0], RESURFACE_EXTRA[1]),
      medianHours: rng.uniform(RESURFACE_MEDIAN_HOURS[0], RESURFACE_MEDIAN_HOURS[1]),
    });
  }
  return surfacings;
}

/** The gaps in the monitor's data a data-gap scenario puts into the window. */
export function planGaps(rng: Rng, scenario: string, asOf: number): GapPlan {
  const gaps: GapPlan = { failShare: 0, partialShare: 0, lateShare: 0 };
  const share = (range: readonly [number, number]) => rng.uniform(range[0], range[1]);
  if (scenario === 'gap-partial') gaps.partialShare = share(PARTIAL_SHARE);
  if (scenario === 'gap-late') gaps.lateShare = share(LATE_SHARE);
  if (scenario === 'gap-some-failed') gaps.failShare = share(SOME_FAILED_SHARE);
  if (scenario === 'gap-failed-polls') gaps.failShare = share(MANY_FAILED_SHARE);
  if (scenario === 'gap-outage' || scenario === 'gap-outage-end') {
    const length = share(OUTAGE_SHARE) * WINDOW_MS;
    const from =
      scenario === 'gap-outage-end' ? asOf - length : rng.uniform(asOf - WINDOW_MS, asOf - length);
    gaps.outage = { from, to: scenario === 'gap-outage-end' ? asOf + HOUR_MS : from + length };
  }
  return gaps;
}
