import { describe, expect, it } from 'vitest';
import { randomId } from '../../../adapters/random-ids.ts';

describe('randomId', () => {
  it('should draw distinct URL-safe ids of 120 bits that never begin like a CLI option', () => {
    // Enough draws that a leading `-` or `_` (one in thirty-two base64url ids) would surely show.
    const ids = Array.from({ length: 5_000 }, () => randomId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{19}$/);
  });
});
