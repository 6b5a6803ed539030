/**
 * Maps the engine's raw fit scores to calibrated probabilities that the top cause is right. The table was
 * measured on development fleets (2,160 simulated account-nights, seeds distinct from the evaluation's and
 * the tests'): the observed accuracy per raw-score bin, made monotone. `npm run eval` checks it on unseen seeds.
 */

/** Raw score → probability, piecewise linear between these points (ascending). */
const TABLE: readonly (readonly [raw: number, probability: number])[] = [
  [0, 0.2],
  [0.55, 0.4],
  [0.625, 0.72],
  [0.675, 0.78],
  [0.75, 0.9],
  [0.85, 0.95],
  [0.9, 0.98],
  [0.95, 0.99],
  [1, 0.995],
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
