/**
 * Counts from TikTok's web pages, field by field, and whether they may be rounded. Each counter can come in
 * `statsV2` (meant to be exact, as a string) and in `stats` (rounded for display, as a number, sometimes as a
 * string, sometimes overflowed to a negative number). A counter is taken from `statsV2` when it is valid there,
 * else from `stats`; one bad counter costs only itself.
 *
 * `statsV2` is not always exact: real pages carry the same rounded values in both (866000, 14200000, 18900).
 * So rounding is judged from the values themselves, per page ({@link RoundingEvidence}).
 */
import { z } from 'zod';

/** A counter as a page may send it: a non-negative integer, or its digits as a string. */
const PageCount = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .refine(Number.isSafeInteger, { message: 'too large to keep exact' }),
]);

/** TikTok shows counts from 1,000 up with three significant digits at most: 18.9K, 866K, 14.2M, 1.2B. */
const DISPLAY_ROUNDING_FROM = 1_000;

/**
 * Whether `count` sits at TikTok's display precision, i.e. could be a rounded figure: from 1,000 a multiple of
 * 100 below a million (one decimal of K), of 100,000 below a billion (one decimal of M), of 100,000,000 above.
 */
export function atDisplayPrecision(count: number): boolean {
  if (count < DISPLAY_ROUNDING_FROM) return false;
  const unit = count < 1_000_000 ? 100 : count < 1_000_000_000 ? 100_000 : 100_000_000;
  return count % unit === 0;
}

/**
 * What a page's counters say about rounding. One counter of 1,000 or more off display precision in `statsV2`
 * shows the page's `statsV2` are exact; when every such counter sits at display precision, they may all be
 * rounded. Judged per page rather than per video: an exact count lands on display precision one time in a
 * hundred, and a page with dozens of counters almost never does so throughout.
 */
export class RoundingEvidence {
  private exact = false;
  private roundable = false;
  private fromStats = false;

  /** Notes a counter taken from `statsV2`. */
  fromV2(count: number): void {
    if (count < DISPLAY_ROUNDING_FROM) return;
    if (atDisplayPrecision(count)) this.roundable = true;
    else this.exact = true;
  }

  /** Notes a counter taken from the rounded `stats` (`statsV2` lacked it or had it wrong). */
  fromRounded(count: number): void {
    if (count >= DISPLAY_ROUNDING_FROM) this.fromStats = true;
  }

  /** Whether the page's counts may be rounded. */
  get rounded(): boolean {
    return this.fromStats || (this.roundable && !this.exact);
  }
}

/** Where a counter could not be read: the field and what was wrong. */
export interface CountProblem {
  field: string;
  problem: string;
}

/**
 * Reads `fields` from a page object's `statsV2` and `stats` (either may be absent or not an object). Returns
 * each counter found, and a problem for each required one found in neither.
 */
export function readCounts<F extends string>(
  object: { stats?: unknown; statsV2?: unknown },
  fields: { required: readonly F[]; optional?: readonly F[] },
  evidence: RoundingEvidence,
): { counts: Partial<Record<F, number>>; problems: CountProblem[] } {
  const exact = asRecord(object.statsV2);
  const shown = asRecord(object.stats);
  const counts: Partial<Record<F, number>> = {};
  const problems: CountProblem[] = [];
  for (const field of [...fields.required, ...(fields.optional ?? [])]) {
    const v2 = PageCount.safeParse(exact?.[field]);
    if (v2.success) {
      counts[field] = v2.data;
      evidence.fromV2(v2.data);
      continue;
    }
    const v1 = PageCount.safeParse(shown?.[field]);
    if (v1.success) {
      counts[field] = v1.data;
      evidence.fromRounded(v1.data);
      continue;
    }
    if (!fields.required.includes(field)) continue;
    const given = exact?.[field] ?? shown?.[field];
    problems.push({
      field: `stats.${field}`,
      problem: given === undefined ? 'missing' : `not a count (${JSON.stringify(given)})`,
    });
  }
  return { counts, problems };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
