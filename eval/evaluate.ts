/**
 * Runs the engine over labelled fleets at every history density: each fleet is generated once, then thinned
 * and explained once per density, so the densities are judged on the very same nights.
 */
import { explainFleet } from '../core/explain/index.ts';
import { DENSITIES, type HistoryDensity, thinFleet } from './densities.ts';
import { compareWithExpected, type EvalRecord, type EvalReport, scoreRecords } from './score.ts';
import type { WorldGenerator } from './worlds.ts';

/** Options of {@link evaluateWorld}. */
export interface EvaluateOptions {
  /** One fleet per seed. */
  seeds: readonly number[];
  accountsPerFleet: number;
  densities?: readonly HistoryDensity[];
}

/** The engine's scores on one generator's fleets, per density. */
export function evaluateWorld(
  world: WorldGenerator,
  options: EvaluateOptions,
): Map<HistoryDensity, EvalReport> {
  const densities = options.densities ?? DENSITIES;
  const records = new Map<HistoryDensity, EvalRecord[]>(densities.map((d) => [d, []]));
  options.seeds.forEach((seed, fleetIndex) => {
    const { fleet, asOf, expected } = world.generate(seed, options.accountsPerFleet);
    for (const density of densities) {
      const explanation = explainFleet(thinFleet(fleet, asOf, density), { asOf });
      records.get(density)?.push(...compareWithExpected(expected, explanation, fleetIndex));
    }
  });
  return new Map(densities.map((density) => [density, scoreRecords(records.get(density) ?? [])]));
}
