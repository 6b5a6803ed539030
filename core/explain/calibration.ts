/**
 * Maps the engine's raw fit scores to calibrated probabilities that the top cause is right, with one table per
 * verdict: a loss's fit tells right from wrong over a wide range (its best fits are right 99% of the time), a
 * slowdown's much less (right 82–94% of the time whatever its fit), so one table cannot serve both.
 *
 * Fitted on 300 development fleets per world generator at all four history densities (about 33,000 losses and
 * 7,900 slowdowns; seeds of the `dev` set, which neither `npm run eval` nor the tests use): the observed accuracy
 * per raw-score bin of at least 150 predictions, both generators weighted equally, pooled where a higher bin
 * came out less accurate than a lower one so the map only rises, rounded. Below a raw score of 0.6 losses are
 * rarely right; that end is kept at or above half the raw score so the top cause never states less than the
 * causes ranked after it. `npm run eval` checks the tables on fleets they never saw.
 */

/** A piecewise-linear map: raw score → probability, by ascending raw score from 0 to 1. */
type Table = readonly (readonly [raw: number, probability: number])[];

/** For a loss: the fit of its top cause, weighted by the share of the loss it explains. */
const LOSS_TABLE: Table = [
  [0, 0.1],
  [0.5, 0.3],
  [0.59, 0.73],
  [0.69, 0.83],
  [0.74, 0.935],
  [0.81, 0.951],
  [0.85, 0.972],
  [0.885, 0.989],
  [0.92, 0.99],
  [1, 0.99],
];

/** For a slowdown: the fit of its cause. */
const SLOWDOWN_TABLE: Table = [
  [0, 0.82],
  [0.7, 0.82],
  [0.715, 0.9],
  [0.82, 0.91],
  [0.9, 0.93],
  [0.97, 0.943],
  [1, 0.943],
];

/** The calibrated probability for a raw score in [0, 1] of a loss's or a slowdown's top cause. */
export function calibrate(raw: number, verdict: 'loss' | 'slowdown'): number {
  const table = verdict === 'loss' ? LOSS_TABLE : SLOWDOWN_TABLE;
  const clamped = Math.min(1, Math.max(0, raw));
  for (let index = 1; index < table.length; index += 1) {
    const [x1, y1] = table[index] as readonly [number, number];
    const [x0, y0] = table[index - 1] as readonly [number, number];
    if (clamped <= x1) return y0 + ((y1 - y0) * (clamped - x0)) / (x1 - x0);
  }
  return (table.at(-1) as readonly [number, number])[1];
}
