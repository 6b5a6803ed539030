/**
 * True views: each video's lifetime curve integrated against the traffic its audience brings.
 *
 * A video's view rate at time t is `reach × F′(age) × traffic(t) × modifier(t)`: F is its lifetime curve, the
 * traffic is the audience's daily cycle times the fleet's climate (hour by hour), the modifier a reach limit or a
 * restriction (steps in time). The integral is taken between knots of the curve (hourly while the video is young,
 * twice a day once its curve is smooth), with the traffic summed exactly in between through a prefix sum, so an
 * old video costs a few hundred steps over two months, not one per hour.
 */
import { HOUR_MS } from '../../core/time.ts';
import type { AccountWorld, Video } from './account.ts';
import { type Climate, climateFactor, cycleFactor, lifetimeShare, normalCdf } from './curves.ts';
import type { EventPlan } from './events.ts';
import { RESURFACE_SPREAD } from './params.ts';

/** Hour in ms, held locally: the loops below read it very often. */
const HOUR = HOUR_MS;
/** Past this age (hours) a curve is smooth: knots every `SMOOTH_KNOT_HOURS` instead of every hour. */
const SMOOTH_AGE_HOURS = 240;
/** Knot spacing of a smooth curve (hours). */
const SMOOTH_KNOT_HOURS = 12;

/** The share of an audience shift's decline a video posted at `postedAt` carries (0 before it began). */
export function shiftProgress(plan: EventPlan, asOf: number, postedAt: number): number {
  if (!plan.shift) return 0;
  const progress = (postedAt - plan.shift.start) / (asOf - plan.shift.start);
  return Math.min(1, Math.max(0, progress));
}

/** Cumulative traffic from the grid's start, in traffic-weighted hours. */
class TrafficClock {
  readonly prefix: Float64Array;

  constructor(
    readonly traffic: Float64Array,
    readonly gridStart: number,
  ) {
    this.prefix = new Float64Array(traffic.length + 1);
    for (let hour = 0; hour < traffic.length; hour++) {
      this.prefix[hour + 1] = (this.prefix[hour] as number) + (traffic[hour] as number);
    }
  }

  /** Traffic summed from the grid's start to `x` hours after it. */
  at(x: number): number {
    if (x <= 0) return 0;
    const hours = this.traffic.length;
    if (x >= hours) return (this.prefix[hours] as number) + (x - hours);
    const hour = Math.floor(x);
    return (this.prefix[hour] as number) + (x - hour) * (this.traffic[hour] as number);
  }
}

/** One video's exposure: traffic times its step modifiers, summed from the grid's start. */
class Exposure {
  private readonly breaks: number[] = [0];
  private readonly factors: number[] = [1];

  constructor(
    private readonly clock: TrafficClock,
    steps: { x: number; factor: number }[],
  ) {
    for (const step of steps.sort((a, b) => a.x - b.x)) {
      const last = this.factors[this.factors.length - 1] as number;
      this.breaks.push(Math.max(0, step.x));
      this.factors.push(last * step.factor);
    }
  }

  at(x: number): number {
    let total = 0;
    for (let piece = 0; piece < this.breaks.length; piece++) {
      const from = this.breaks[piece] as number;
      if (x <= from) break;
      const to = Math.min(x, this.breaks[piece + 1] ?? Number.POSITIVE_INFINITY);
      total += (this.factors[piece] as number) * (this.clock.at(to) - this.clock.at(from));
    }
    return total;
  }
}

/** A source of views: a curve `share(age)` scaled to `scale` views, born `born` hours after the grid's start. */
interface Component {
  born: number;
  scale: number;
  share: (ageHours: number) => number;
}

/** Adds a component's views at every sample (`xs`: samples in hours after the grid's start) into `out`. */
function integrate(
  component: Component,
  exposure: Exposure,
  xs: Float64Array,
  out: Float64Array,
  offset: number,
) {
  const { born, scale, share } = component;
  const nextKnot = (age: number) => {
    const step = age < SMOOTH_AGE_HOURS ? 1 : SMOOTH_KNOT_HOURS;
    return (Math.floor(age / step) + 1) * step;
  };
  let low = Math.max(0, -born);
  let high = nextKnot(low);
  let lowShare = share(low);
  let highShare = share(high);
  let accumulated = born < 0 ? scale * lowShare : 0;
  let lowExposure = exposure.at(born + low);
  for (let sample = 0; sample < xs.length; sample++) {
    const x = xs[sample] as number;
    if (x < born) continue;
    while (x > born + high) {
      const slope = Math.max(0, highShare - lowShare) / (high - low);
      const highExposure = exposure.at(born + high);
      accumulated += scale * slope * (highExposure - lowExposure);
      low = high;
      lowShare = highShare;
      lowExposure = highExposure;
      high = nextKnot(low);
      highShare = share(high);
    }
    const slope = Math.max(0, highShare - lowShare) / (high - low);
    out[offset + sample] =
      (out[offset + sample] as number) +
      accumulated +
      scale * slope * (exposure.at(x) - lowExposure);
  }
}

function hourlyTraffic(world: AccountWorld, climate: Climate, gridStart: number, hours: number) {
  const traffic = new Float64Array(hours);
  for (let hour = 0; hour < hours; hour++) {
    const middle = gridStart + (hour + 0.5) * HOUR;
    traffic[hour] = climateFactor(climate, middle) * cycleFactor(world.cycle, middle);
  }
  return traffic;
}

function stepsFor(plan: EventPlan, index: number, gridStart: number) {
  const steps: { x: number; factor: number }[] = [];
  if (plan.reachLimit) {
    const factor = plan.reachLimit.factors[index] as number;
    steps.push({ x: (plan.reachLimit.onset - gridStart) / HOUR, factor });
  }
  if (plan.restricted?.video === index) {
    steps.push({ x: (plan.restricted.at - gridStart) / HOUR, factor: plan.restricted.residual });
  }
  return steps;
}

/** True (fractional) views of every video at every sample; entry `video * samples.length + sample`. */
export function computeViews(
  world: AccountWorld,
  plan: EventPlan,
  climate: Climate,
  samples: Float64Array,
): Float64Array {
  const count = samples.length;
  const first = samples[0] ?? world.historyStart;
  const gridStart = Math.floor(Math.min(world.historyStart, first) / HOUR) * HOUR - HOUR;
  const last = samples[count - 1] ?? world.asOf;
  const hours = Math.ceil((last - gridStart) / HOUR) + 2;
  const clock = new TrafficClock(hourlyTraffic(world, climate, gridStart, hours), gridStart);
  const xs = samples.map((sample) => (sample - gridStart) / HOUR);
  const views = new Float64Array(world.videos.length * count);
  world.videos.forEach((video: Video, index) => {
    const exposure = new Exposure(clock, stepsFor(plan, index, gridStart));
    const decline =
      (plan.shift?.viewDecline ?? 0) * shiftProgress(plan, world.asOf, video.postedAt);
    const born = (video.postedAt - gridStart) / HOUR;
    const main = {
      born,
      scale: video.reach * (1 - decline),
      share: (age: number) => lifetimeShare(video, age),
    };
    integrate(main, exposure, xs, views, index * count);
    for (const surfacing of plan.resurfacings) {
      if (surfacing.video !== index) continue;
      const median = Math.log(surfacing.medianHours);
      integrate(
        {
          born: (surfacing.at - gridStart) / HOUR,
          scale: surfacing.extraViews,
          share: (age: number) =>
            age <= 0 ? 0 : normalCdf((Math.log(age) - median) / RESURFACE_SPREAD),
        },
        exposure,
        xs,
        views,
        index * count,
      );
    }
  });
  return views;
}
