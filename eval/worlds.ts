/**
 * The two world generators the engine is judged on, behind one shape: a labelled fleet and the night it is
 * judged on. `simulator` is the product's own simulator (core/simulate); `spec` is a second, independent
 * generator written from the cause specification alone (eval/spec-world), with its own modelling choices.
 */
import type { Fleet } from '../core/model.ts';
import { simulateFleet } from '../core/simulate/fleet.ts';
import type { ExpectedNight } from './score.ts';
import { generateSpecFleet } from './spec-world/index.ts';

/** A labelled fleet: what the monitor saw, the night's end, and what a correct engine says of each account. */
export interface LabelledNights {
  fleet: Fleet;
  asOf: Date;
  /** In fleet order. */
  expected: ExpectedNight[];
}

/** A generator of labelled fleets, deterministic for its seed. */
export interface WorldGenerator {
  name: WorldName;
  description: string;
  generate(seed: number, accounts: number): LabelledNights;
}

/** The generators, by name. */
export type WorldName = 'simulator' | 'spec';

export const WORLDS: Record<WorldName, WorldGenerator> = {
  simulator: {
    name: 'simulator',
    description: "the product's own simulator (core/simulate)",
    generate(seed, accounts) {
      const { fleet, labels } = simulateFleet({ seed, accounts });
      return {
        fleet,
        asOf: new Date(labels.asOf),
        expected: labels.accounts.map((label) => ({
          id: label.id,
          scenario: label.scenario,
          verdict: label.verdict,
          topCause: label.topCause,
        })),
      };
    },
  },
  spec: {
    name: 'spec',
    description: 'a second generator written from the cause specification alone (eval/spec-world)',
    generate(seed, accounts) {
      const { fleet, asOf, labels } = generateSpecFleet({ seed, accounts });
      return {
        fleet,
        asOf: new Date(asOf),
        expected: labels.map((label) => ({
          id: label.id,
          scenario: label.scenario,
          verdict: label.verdict,
          topCause: label.topCause,
        })),
      };
    },
  },
};
