import { describe, expect, it } from 'vitest';
import {
  coversEveryAccount,
  dueMinutes,
  MINUTES_PER_DAY,
  pollMinuteOf,
} from '../../../core/poll-schedule.ts';

const MINUTE_MS = 60_000;
const start = new Date('2026-11-24T00:00:00Z');

describe('poll schedule', () => {
  it('should give every account a fixed minute of the day, spread over the whole day', () => {
    // Arrange
    const ids = Array.from({ length: 14_400 }, (_, index) => `open-${index}-${index * 7919}`);
    // Act
    const minutes = ids.map(pollMinuteOf);
    // Assert: in range, stable, and no minute holds more than three times its share (10 accounts).
    expect(
      minutes.every(
        (minute) => Number.isInteger(minute) && minute >= 0 && minute < MINUTES_PER_DAY,
      ),
    ).toBe(true);
    expect(ids.map(pollMinuteOf)).toEqual(minutes);
    const perMinute = new Map<number, number>();
    for (const minute of minutes) perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    expect(perMinute.size).toBeGreaterThan(MINUTES_PER_DAY * 0.99);
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(30);
  });

  it.each([
    [360, 4],
    [240, 6],
    [60, 24],
    [1440, 1],
    // A cadence that does not divide the day still polls each minute once per cadence.
    [300, 5],
  ])(
    'should, every %i minutes, make each minute of the day due exactly once per cadence',
    (cadence, perTick) => {
      // Act: one tick a minute over a whole cadence.
      const seen = new Map<number, number>();
      for (let tick = 0; tick < cadence; tick++) {
        const due = dueMinutes({
          slot: new Date(start.getTime() + tick * MINUTE_MS),
          widthMinutes: 1,
          cadenceMinutes: cadence,
        });
        expect(due.length).toBeLessThanOrEqual(perTick);
        for (const minute of due) seen.set(minute, (seen.get(minute) ?? 0) + 1);
      }
      // Assert
      expect(seen.size).toBe(MINUTES_PER_DAY);
      expect([...seen.values()].every((times) => times === 1)).toBe(true);
    },
  );

  it('should make a minute due again exactly one cadence later', () => {
    // Arrange
    const cadence = 360;
    const minute = pollMinuteOf('open-maya');
    const dueAt = (tick: number) =>
      dueMinutes({
        slot: new Date(start.getTime() + tick * MINUTE_MS),
        widthMinutes: 1,
        cadenceMinutes: cadence,
      }).includes(minute);
    // Act: the ticks of two days at which the minute is due.
    const ticks = Array.from({ length: 2 * MINUTES_PER_DAY }, (_, tick) => tick).filter(dueAt);
    // Assert
    expect(ticks).toHaveLength(8);
    expect(ticks.slice(1).map((tick, index) => tick - (ticks[index] as number))).toEqual(
      Array(7).fill(cadence),
    );
  });

  it('should cover every account in a tick as wide as the cadence, and refuse a cadence that is no whole number of minutes', () => {
    const wide = { slot: start, widthMinutes: 360, cadenceMinutes: 360 };
    expect(coversEveryAccount(wide)).toBe(true);
    expect(dueMinutes(wide)).toHaveLength(MINUTES_PER_DAY);
    expect(coversEveryAccount({ ...wide, widthMinutes: 1 })).toBe(false);
    expect(() => dueMinutes({ slot: start, widthMinutes: 1, cadenceMinutes: 0.5 })).toThrow(
      RangeError,
    );
  });
});
