/**
 * The spec world: a second, independent generator of labelled fleets, written from the cause specification
 * alone, to judge the explanation engine on a world it was not tuned on.
 *
 * Each account gets a target label (the nine labels in equal shares: `none`, `unknown` and the seven causes), a
 * scenario aiming at it, and a world drawn for it. The label is then read honestly from what the world did and
 * what its full-cadence polls could see (see `labels.ts`); when it misses the target, the account is redrawn a
 * few times with fresh numbers, and the last draw is kept whatever its label, so every label stays honest.
 */
import { type Cause, FLEET_FORMAT, type Fleet } from '../../core/model.ts';
import { DAY_MS, formatInstant } from '../../core/time.ts';
import { type AccountWorld, drawAccount } from './account.ts';
import { type Climate, drawClimate } from './curves.ts';
import {
  type EventPlan,
  eventInstants,
  hasSlowdown,
  planEvents,
  withoutSlowdown,
} from './events.ts';
import { type Judgement, judge } from './labels.ts';
import { emitAccount, firstJudgedPoll, type Observed, observe } from './observe.ts';
import { DEFAULT_AS_OF, WINDOW_MS } from './params.ts';
import { Rng } from './rng.ts';
import { balancedTargets, drawSetup, drawWaves, type Setup } from './scenarios.ts';
import { drawSchedule, type ScheduledPoll } from './schedule.ts';
import { accountViews, computeTruth, type Truth } from './truth.ts';

export { TARGETS, type Target } from './scenarios.ts';

/** Draws of one account before its label may miss its target for good. */
export const MAX_ATTEMPTS = 8;

/** The label of one account-night. */
export interface SpecLabel {
  id: string;
  handle: string;
  /** What was injected: `ordinary…`, a data-gap kind (`gap-…`), a cause scenario, or `overlap:…+…`. */
  scenario: string;
  /** The expected verdict a correct engine should give. */
  verdict: 'loss' | 'slowdown' | 'none' | 'unknown';
  /** The expected top cause. */
  topCause: Cause | 'none' | 'unknown';
}

/** A labelled fleet. */
export interface SpecFleet {
  fleet: Fleet;
  /** End of the judged window (ISO); no poll of the fleet is later. */
  asOf: string;
  /** One label per account, in fleet order. */
  labels: SpecLabel[];
}

/** Options of a spec fleet. */
export interface SpecFleetOptions {
  seed: number;
  accounts: number;
  /** End of the judged window (default 2026-11-24T06:00:00Z); taken to the whole second. */
  asOf?: Date;
}

/** One account with the world behind it (for tests and analysis). */
export interface SpecAccount {
  setup: Setup;
  world: AccountWorld;
  plan: EventPlan;
  polls: ScheduledPoll[];
  truth: Truth;
  counterfactual?: Truth;
  observed: Observed;
  judgement: Judgement;
  /** Draws it took (1 to {@link MAX_ATTEMPTS}). */
  attempts: number;
}

/** A labelled fleet with its worlds. */
export interface SpecWorld {
  specFleet: SpecFleet;
  climate: Climate;
  accounts: SpecAccount[];
}

/** Instants the truth is evaluated at: polls, event instants, and night boundaries back from `asOf`. */
function samplesFor(world: AccountWorld, plan: EventPlan, polls: ScheduledPoll[]): Float64Array {
  const instants = polls.map((poll) => poll.at);
  for (const instant of eventInstants(plan)) {
    if (instant >= world.historyStart && instant <= world.asOf) instants.push(instant);
  }
  for (let night = 0; world.asOf - night * DAY_MS >= world.historyStart; night++) {
    instants.push(world.asOf - night * DAY_MS);
  }
  const sorted = Float64Array.from(instants).sort();
  return sorted.filter((instant, index) => index === 0 || instant !== sorted[index - 1]);
}

function drawAttempt(rng: Rng, setup: Setup, climate: Climate, asOf: number, index: number) {
  const world = drawAccount(rng.fork('account'), setup.constraints, asOf, index);
  const plan = planEvents(rng.fork('events'), setup, world);
  const polls = drawSchedule(rng.fork('schedule'), world, plan.gaps);
  const samples = samplesFor(world, plan, polls);
  const truth = computeTruth(world, plan, climate, samples, rng.fork('truth'));
  const counterfactual = hasSlowdown(plan)
    ? computeTruth(world, withoutSlowdown(plan), climate, samples, rng.fork('truth'))
    : undefined;
  const observeRng = rng.fork('observe');
  const judged = firstJudgedPoll(polls, asOf - WINDOW_MS);
  const judgement = judge(
    world,
    plan,
    truth,
    observe(observeRng, world, plan, truth, polls, judged),
    counterfactual,
  );
  // The whole history is observed only for the draw that is kept (it shows the night exactly as judged).
  const observeAll = () => observe(observeRng, world, plan, truth, polls);
  return { setup, world, plan, polls, truth, counterfactual, observeAll, judgement };
}

function drawSpecAccount(rng: Rng, first: Setup, climate: Climate, asOf: number, index: number) {
  let attempt = 1;
  let account = drawAttempt(rng.fork('attempt-1'), first, climate, asOf, index);
  while (account.judgement.topCause !== first.target && attempt < MAX_ATTEMPTS) {
    attempt++;
    const attemptRng = rng.fork(`attempt-${attempt}`);
    // A scenario of its own is drawn afresh; one that is part of a fleet-wide wave keeps the wave.
    const setup = first.wave
      ? first
      : drawSetup(attemptRng.fork('setup'), first.target, asOf, first);
    account = drawAttempt(attemptRng, setup, climate, asOf, index);
  }
  const { observeAll, ...kept } = account;
  return { ...kept, observed: observeAll(), attempts: attempt };
}

/** Generates a labelled fleet with the worlds behind it. */
export function generateSpecWorld(options: SpecFleetOptions): SpecWorld {
  const asOf = Math.floor((options.asOf?.getTime() ?? DEFAULT_AS_OF) / 1000) * 1000;
  const root = new Rng(options.seed);
  const climate = drawClimate(root.fork('climate'), asOf);
  const targets = balancedTargets(root.fork('targets'), options.accounts);
  const setupRng = root.fork('setups');
  const setups = targets.map((target, index) =>
    drawSetup(setupRng.fork(`setup-${index}`), target, asOf),
  );
  drawWaves(root.fork('waves'), setups, asOf);
  const accounts = setups.map((setup, index) =>
    drawSpecAccount(root.fork(`account-${index}`), setup, climate, asOf, index),
  );
  const labels = accounts.map(
    ({ world, setup, judgement }): SpecLabel => ({
      id: world.id,
      handle: world.handle,
      scenario: setup.scenario,
      verdict: judgement.verdict,
      topCause: judgement.topCause,
    }),
  );
  const fleet: Fleet = {
    format: FLEET_FORMAT,
    accounts: accounts.map(({ world, observed }) => emitAccount(world, observed)),
  };
  return { specFleet: { fleet, asOf: formatInstant(asOf), labels }, climate, accounts };
}

/** Generates a labelled fleet: the same options always give the same fleet. */
export function generateSpecFleet(options: SpecFleetOptions): SpecFleet {
  return generateSpecWorld(options).specFleet;
}

/**
 * The account's total true views at `instants` (sorted ascending), in its world or, with `counterfactual`, in
 * the same world without its slowdown.
 */
export function trueViews(
  world: SpecWorld,
  account: SpecAccount,
  instants: readonly number[],
  counterfactual = false,
): number[] {
  const plan = counterfactual ? withoutSlowdown(account.plan) : account.plan;
  return accountViews(account.world, plan, world.climate, instants);
}
