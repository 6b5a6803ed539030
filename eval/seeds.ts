/**
 * Which fleets each use of the evaluation draws. Thresholds are developed on the `dev` fleets only; the figures
 * reported by `npm run eval` come from the `report` fleets and the fixed-seed checks of `npm test` from the
 * `test` fleets, neither of which development looks at. All three are disjoint by construction (the set's name
 * is hashed into every seed).
 */
import { hashSeed } from '../core/simulate/random.ts';
import type { WorldName } from './worlds.ts';

/** A set of fleets: its name, and how many fleets of how many accounts. */
export type SeedSet = 'dev' | 'report' | 'test';

/** The seed of fleet `index` of a set, for one world generator. */
export function fleetSeed(set: SeedSet, world: WorldName, index: number): number {
  return hashSeed('likewatch-eval', set, world, index);
}

/** The seeds of the first `count` fleets of a set. */
export function fleetSeeds(set: SeedSet, world: WorldName, count: number): number[] {
  return Array.from({ length: count }, (_, index) => fleetSeed(set, world, index));
}
