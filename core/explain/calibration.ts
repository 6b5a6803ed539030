/**
 * Maps the engine's raw fit scores to calibrated probabilities that the top cause is right. The table was
 * measured on the development fleets of both world generators at all four history densities (about 4,000
 * predictions; seeds of the `dev` set, which neither `npm run eval` nor the tests use): the observed accuracy
 * per raw-score bin, pooled where a higher bin came out less accurate than a lower one, so the map only rises.
 * `npm run eval` checks it on fleets it never saw.
 */

/** Raw score → probability, piecewise linear between these points (ascending). */
const TABLE: readonly (readonly [raw: number, probability: number])[] = [
  [0, 0.1],
  [0.5, 0.3],
  [0.62, 0.62],
  [0.68, 0.69],
  [0.72, 0.89],
  [0.76, 0.89],
  [0.82, 0.945],
  [0.87, 0.945],
  [0.9, 0.98],
  [1, 0.98],
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
