import { describe, expect, it } from 'vitest';
import { localMidnights } from '../../../../core/digest/likes-chart.ts';

const at = (iso: string) => Date.parse(iso);

describe('localMidnights', () => {
  it('should find each local midnight of a zone offset by 5:45, to the quarter hour', () => {
    // Kathmandu is UTC+5:45: its midnight is 18:15 UTC.
    const marks = localMidnights(
      at('2026-11-17T07:00:00Z'),
      at('2026-11-24T07:00:00Z'),
      'Asia/Kathmandu',
    );
    expect(marks.map((mark) => new Date(mark).toISOString())).toEqual(
      ['17', '18', '19', '20', '21', '22', '23'].map((day) => `2026-11-${day}T18:15:00.000Z`),
    );
  });

  it('should follow a change of clocks, and give nothing for an unknown zone', () => {
    // Berlin leaves summer time on 25 October 2026: midnight is 22:00 UTC before, 23:00 UTC after.
    const marks = localMidnights(
      at('2026-10-23T12:00:00Z'),
      at('2026-10-27T12:00:00Z'),
      'Europe/Berlin',
    );
    expect(marks.map((mark) => new Date(mark).toISOString())).toEqual([
      '2026-10-23T22:00:00.000Z',
      '2026-10-24T22:00:00.000Z',
      '2026-10-25T23:00:00.000Z',
      '2026-10-26T23:00:00.000Z',
    ]);
    expect(
      localMidnights(at('2026-10-23T12:00:00Z'), at('2026-10-27T12:00:00Z'), 'Mars/Olympus'),
    ).toEqual([]);
  });
});
