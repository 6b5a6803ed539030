/** Numbers as a creator reads them, shared by the engine's evidence, the digest and the CLI. */

const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands separators (`1,180`). */
export function formatCount(value: number): string {
  return COUNT_FORMAT.format(Math.round(value));
}

/** `1 like`, `1,240 likes`: a count with its noun, singular or plural. */
export function countOf(value: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(value)} ${Math.round(value) === 1 ? singular : plural}`;
}
