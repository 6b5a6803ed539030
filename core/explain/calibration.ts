/**
 * Maps the engine's raw fit scores to calibrated probabilities that the top cause is right. The table is
 * measured on development seeds (see docs/EVAL.md) and checked on separate evaluation seeds.
 */

/** Raw score → probability, piecewise linear between these points (ascending). */
const TABLE: readonly (readonly [raw: number, probability: number])[] = [
  [0, 0.2],
  [0.4, 0.45],
  [0.6, 0.7],
  [0.8, 0.9],
  [1, 0.97],
];

/** The calibrated probability for a raw score in [0, 1]. */
export function calibrate(raw: number): number {
  const clamped = Math.min(1, Math.max(0, raw));
  for (let index = 1; index < TABLE.length; index += 1) {
    const [x1, y1] = TABLE[index] as readonly [number, number];
    const [x0, y0] = TABLE[index - 1] as readonly [number, number];
    if (clamped <= x1) return y0 + ((y1 - y0) * (clamped - x0)) / (x1 - x0);
  }
  return (TABLE.at(-1) as readonly [number, number])[1];
}
