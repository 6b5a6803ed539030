/**
 * The shapes of the spec world: a video's share of its lifetime views by age, the audience's daily cycle, and the
 * fleet's climate (slow drift over weeks and one-day lulls shared by every account of the fleet).
 */
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import {
  DAILY_CYCLE_AMPLITUDE,
  DRIFT_AMPLITUDE,
  DRIFT_COMPONENTS,
  DRIFT_PERIOD_DAYS,
  LULL_DEPTH,
  LULL_OFFSET_HOURS,
  LULL_RAMP_HOURS,
  PAST_LULLS_PER_30_DAYS,
  TONIGHT_LULL_CHANCE,
  WINDOW_MS,
} from './params.ts';
import type { Rng } from './rng.ts';

/** Beyond this many standard deviations the normal distribution is taken as complete. */
const NORMAL_TAIL_CUTOFF = 8;
/** Days of past climate drawn (longer than any history). */
const CLIMATE_DAYS = 70;
/** A past lull lies at least this many days back (the judged night's lull is drawn on its own). */
const PAST_LULL_MIN_DAYS = 3;
/** Share of the drift's full amplitude a fleet uses: some fleets drift less. */
const DRIFT_USED: readonly [number, number] = [0.5, 1];
/** Floor of a drift component's weight, so that no component vanishes. */
const DRIFT_MIN_WEIGHT = 0.2;

/** The view-curve parameters of one video. */
export interface CurveShape {
  /** Natural log of the burst's median age, in hours. */
  burstLogMedian: number;
  /** Log-scale width of the burst. */
  burstSpread: number;
  /** Share of lifetime views in the tail. */
  tailShare: number;
  /** Age scale of the tail, in hours. */
  tailHours: number;
  /** Decay power of the tail. */
  tailPower: number;
}

/** The standard normal CDF (Abramowitz & Stegun 7.1.26 for erf; absolute error below 2e-7). */
export function normalCdf(z: number): number {
  if (z > NORMAL_TAIL_CUTOFF) return 1;
  if (z < -NORMAL_TAIL_CUTOFF) return 0;
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** The share of its lifetime views a video has reached at `ageHours` (0 at posting, toward 1 with age). */
export function lifetimeShare(shape: CurveShape, ageHours: number): number {
  if (ageHours <= 0) return 0;
  const burst = normalCdf((Math.log(ageHours) - shape.burstLogMedian) / shape.burstSpread);
  const tail = 1 - (1 + ageHours / shape.tailHours) ** -shape.tailPower;
  return (1 - shape.tailShare) * burst + shape.tailShare * tail;
}

/** A one-day traffic lull shared by the fleet (a holiday): views fall by `depth` between `from` and `to`. */
export interface Lull {
  from: number;
  to: number;
  depth: number;
}

/** Fleet-wide traffic: slow drift and lulls. */
export interface Climate {
  asOf: number;
  drift: { amplitude: number; periodMs: number; phase: number }[];
  lulls: Lull[];
  /** Whether the judged night is a lull. */
  lullTonight: boolean;
}

/** Draws a fleet's climate for the weeks before `asOf`. */
export function drawClimate(rng: Rng, asOf: number): Climate {
  const weights = Array.from({ length: DRIFT_COMPONENTS }, () => rng.next() + DRIFT_MIN_WEIGHT);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const scale = rng.uniform(DRIFT_USED[0], DRIFT_USED[1]) * DRIFT_AMPLITUDE;
  const drift = weights.map((weight) => ({
    amplitude: (scale * weight) / total,
    periodMs: rng.uniform(DRIFT_PERIOD_DAYS[0], DRIFT_PERIOD_DAYS[1]) * DAY_MS,
    phase: rng.uniform(0, 2 * Math.PI),
  }));
  const lulls: Lull[] = [];
  const lullTonight = rng.chance(TONIGHT_LULL_CHANCE);
  if (lullTonight) lulls.push(drawLull(rng, asOf - WINDOW_MS));
  const past = rng.poisson((PAST_LULLS_PER_30_DAYS * CLIMATE_DAYS) / 30);
  for (let index = 0; index < past; index++) {
    const daysBack = rng.int(PAST_LULL_MIN_DAYS, CLIMATE_DAYS);
    lulls.push(drawLull(rng, asOf - daysBack * DAY_MS));
  }
  return { asOf, drift, lulls, lullTonight };
}

function drawLull(rng: Rng, dayStart: number): Lull {
  const from = dayStart + rng.uniform(-LULL_OFFSET_HOURS, LULL_OFFSET_HOURS) * HOUR_MS;
  return { from, to: from + DAY_MS, depth: rng.uniform(LULL_DEPTH[0], LULL_DEPTH[1]) };
}

/** The fleet's traffic multiplier at `instant` (drift times lulls; 1 on average). */
export function climateFactor(climate: Climate, instant: number): number {
  let factor = 1;
  const since = instant - climate.asOf;
  for (const component of climate.drift) {
    factor +=
      component.amplitude * Math.sin((2 * Math.PI * since) / component.periodMs + component.phase);
  }
  const ramp = LULL_RAMP_HOURS * HOUR_MS;
  for (const lull of climate.lulls) {
    if (instant <= lull.from || instant >= lull.to) continue;
    const inside = Math.min(instant - lull.from, lull.to - instant);
    factor *= 1 - lull.depth * Math.min(1, inside / ramp);
  }
  return factor;
}

/** An audience's daily cycle: views peak in its local evening. */
export interface DailyCycle {
  /** UTC offset of the audience, hours. */
  utcOffset: number;
  /** 0 (flat) to below 1. */
  amplitude: number;
  /** Local hour of the peak. */
  peakHour: number;
}

/** Draws the strength and peak of a daily cycle for an audience at `utcOffset`. */
export function drawDailyCycle(
  rng: Rng,
  utcOffset: number,
  peakHours: readonly number[],
): DailyCycle {
  return {
    utcOffset,
    amplitude: rng.uniform(DAILY_CYCLE_AMPLITUDE[0], DAILY_CYCLE_AMPLITUDE[1]),
    peakHour: rng.uniform(peakHours[0] ?? 18, peakHours[1] ?? 22),
  };
}

/** The daily cycle's multiplier at `instant` (averages 1 over a day). */
export function cycleFactor(cycle: DailyCycle, instant: number): number {
  const localHour = ((instant / HOUR_MS + cycle.utcOffset) % 24) + 24;
  return 1 + cycle.amplitude * Math.cos((2 * Math.PI * (localHour - cycle.peakHour)) / 24);
}
