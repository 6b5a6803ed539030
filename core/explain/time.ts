/** The contract's instant format, shared by the engine and the simulator. */

/**
 * Formats an instant as the data contract writes it: ISO-8601 UTC, without fractional seconds when they are zero
 * (`2026-11-24T06:00:00Z`).
 */
export function formatInstant(instant: Date | number): string {
  const iso = new Date(instant).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
