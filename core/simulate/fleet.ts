/**
 * Labelled fleets: simulated `likewatch.fleet/v1` documents whose accounts each live through one scenario of
 * the night that ends at the fleet's as-of (an ordinary night, a gap in the monitor's data, or one of the causes
 * in docs/causes.md), with the verdict and top cause a correct engine should give. The scenarios and each account's
 * set-up are in `fleet-scenarios.ts`, the labels in `fleet-labels.ts`.
 *
 * Scenarios follow docs/causes.md, not the engine: the truth comes from what the simulated world did (see
 * `EventOutcome`), and a label only claims what the polls could have seen.
 */
import type { Fleet, FleetAccount } from '../model.ts';
import { FLEET_FORMAT } from '../model.ts';
import { DAY_MS, formatInstant, HOUR_MS } from '../time.ts';
import { type AccountLabel, type FleetLabels, labelAccount } from './fleet-labels.ts';
import {
  type AccountSizeLimits,
  DEFAULT_WEIGHTS,
  type FleetWideEvents,
  instantInWindow,
  pickScenario,
  type Scenario,
  scenariosNeedingMoreHistory,
  setupAccount,
} from './fleet-scenarios.ts';
import { pollAccount } from './polls.ts';
import { hashSeed, Random } from './random.ts';
import { createWorld } from './world.ts';
import type { WorldSpec } from './world-spec.ts';

/** A fleet and its labels. */
export interface LabelledFleet {
  fleet: Fleet;
  labels: FleetLabels;
}

/** Options of {@link simulateFleet}. */
export interface SimulateFleetOptions {
  seed: number;
  /** Accounts in the fleet (default 24). */
  accounts?: number;
  /** End of the labelled night (default 2026-11-24T06:00:00Z). */
  asOf?: Date;
  /** Relative weight of each scenario (default: every label well represented). */
  weights?: Partial<Record<Scenario, number>>;
  /**
   * Longest history polled per account, in days (default: no limit, up to 55 days as each scenario draws it).
   * Scenarios that need more history are not drawn (see `scenariosNeedingMoreHistory`).
   */
  maxHistoryDays?: number;
  /** Most videos an account has when its history starts (default: no limit, up to 2,500). */
  maxVideos?: number;
}

const DEFAULT_AS_OF = new Date('2026-11-24T06:00:00Z');

/**
 * Simulates one labelled fleet. Deterministic for its options. Some fleets carry fleet-wide events: a cleanup
 * wave, a purge sweep or a glitch that hits every account given that cause at the same instant (and a cleanup
 * wave also hits accounts that would otherwise have had an ordinary night).
 */
export function simulateFleet(options: SimulateFleetOptions): LabelledFleet {
  const random = new Random(hashSeed('fleet', options.seed));
  const asOf = options.asOf ?? DEFAULT_AS_OF;
  const asOfMs = asOf.getTime();
  const fromMs = asOfMs - DAY_MS;
  const limits: AccountSizeLimits = {
    historyDays: options.maxHistoryDays ?? Number.POSITIVE_INFINITY,
    videos: options.maxVideos ?? Number.POSITIVE_INFINITY,
  };
  const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  for (const scenario of scenariosNeedingMoreHistory(limits.historyDays)) weights[scenario] = 0;
  const fleetWide: FleetWideEvents = {};
  if (random.chance(0.35)) {
    fleetWide.cleanupAt = instantInWindow(random, fromMs);
    fleetWide.cleanupFraction = random.logUniform(0.001, 0.012);
  }
  if (random.chance(0.3)) fleetWide.purgeAt = instantInWindow(random, fromMs);
  if (random.chance(0.3)) {
    fleetWide.glitch = {
      at: instantInWindow(random, fromMs, 0.15, 0.7),
      durationHours: random.chance(0.3) ? Number.POSITIVE_INFINITY : random.between(2, 7),
      mode: random.pick(['zero', 'uniform_drop', 'views_drop'] as const),
      share: random.between(0.3, 0.9),
    };
  }
  const count = options.accounts ?? 24;
  const accounts: FleetAccount[] = [];
  const labels: AccountLabel[] = [];
  for (let index = 0; index < count; index += 1) {
    const accountRandom = random.fork('account', index);
    let kind = pickScenario(accountRandom, weights);
    // A fleet-wide cleanup wave reaches many accounts, not only those drawn for it.
    if (kind === 'ordinary' && fleetWide.cleanupAt && accountRandom.chance(0.5))
      kind = 'inactive_account_cleanup';
    const setup = setupAccount(accountRandom, kind, index + 1, asOf, fleetWide, limits);
    const spec: WorldSpec = {
      seed: hashSeed('fleet-world', options.seed, index),
      start: new Date(setup.plan.from.getTime() - HOUR_MS),
      end: asOf,
      accounts: [setup.scenario],
    };
    const world = createWorld(spec);
    const polls = pollAccount(world, setup.scenario.id, setup.plan, accountRandom.fork('polls'));
    accounts.push({
      platform: 'tiktok',
      id: setup.scenario.id,
      handle: setup.scenario.handle,
      polls,
    });
    labels.push(labelAccount(setup, world, spec, polls, asOfMs));
  }
  return {
    fleet: { format: FLEET_FORMAT, accounts },
    labels: {
      format: 'likewatch.fleet-labels/v1',
      seed: options.seed,
      asOf: formatInstant(asOf),
      window: { from: formatInstant(fromMs), to: formatInstant(asOf) },
      accounts: labels,
    },
  };
}
