import { describe, expect, it } from 'vitest';
import { isTikTokHandle } from '../../../../core/model.ts';
import {
  checkEmail,
  checkHandles,
  checkHour,
  checkTimeZone,
  validatePreferences,
  validateSignUp,
} from '../../../../core/subscriptions/validation.ts';

describe('TikTok username rules', () => {
  it.each([
    ['ab', true],
    ['maya.bakes', true],
    ['dan_cooks_2', true],
    ['x'.repeat(24), true],
    ['a', false],
    ['x'.repeat(25), false],
    ['ends.', false],
    ['has-dash', false],
    ['has space', false],
    ['émile', false],
    ['"><img src=x>', false],
    ['maya\r\nbakes', false],
    ['\u202emaya', false],
  ])('should judge %s as %s', (handle, valid) => {
    expect(isTikTokHandle(handle)).toBe(valid);
  });

  it('should accept a list with @, commas and spaces, lower-cased and without duplicates', () => {
    expect(checkHandles('@Maya.Bakes, dan_cooks  @maya.bakes', { required: true })).toEqual({
      ok: true,
      handles: ['maya.bakes', 'dan_cooks'],
    });
  });

  it('should name every invalid username in its message', () => {
    const result = checkHandles('good_one, bad., x', { required: true });
    expect(result).toEqual({ ok: false, message: expect.stringContaining('"bad.", "x" are not') });
  });

  it('should ask for at least one username when required', () => {
    expect(checkHandles('  ', { required: true })).toMatchObject({
      ok: false,
      message: 'At least one TikTok username is needed, e.g. @luna.bakes.',
    });
    expect(checkHandles('  ', { required: false })).toEqual({ ok: true, handles: [] });
  });
});

describe('the other fields', () => {
  it('should accept addresses and refuse what is not one', () => {
    expect(checkEmail(' maya@example.com ')).toEqual({ ok: true, email: 'maya@example.com' });
    expect(checkEmail('')).toMatchObject({ ok: false, message: 'An email address is needed.' });
    expect(checkEmail('maya@')).toMatchObject({ ok: false });
    expect(checkEmail(`${'a'.repeat(250)}@example.com`)).toMatchObject({ ok: false });
  });

  it('should accept IANA zone names only', () => {
    expect(checkTimeZone('Europe/Berlin')).toEqual({ ok: true, timeZone: 'Europe/Berlin' });
    expect(checkTimeZone('UTC')).toEqual({ ok: true, timeZone: 'UTC' });
    expect(checkTimeZone('America/Argentina/Buenos_Aires')).toMatchObject({ ok: true });
    for (const zone of ['+01:00', 'Mars/Olympus', 'CET ', 'Europe/Berlin<script>', '']) {
      expect(checkTimeZone(zone)).toMatchObject({
        ok: false,
        message: 'Not a time zone name: use one like Europe/Berlin or UTC.',
      });
    }
  });

  it('should accept hours 0–23 only', () => {
    expect(checkHour('0')).toEqual({ ok: true, hour: 0 });
    expect(checkHour('23')).toEqual({ ok: true, hour: 23 });
    for (const hour of ['24', '-1', '7.5', 'seven', '']) {
      expect(checkHour(hour)).toMatchObject({
        ok: false,
        message: 'The hour is a whole number from 0 to 23.',
      });
    }
  });

  it('should give one message per field of a bad sign-up', () => {
    const result = validateSignUp(
      new URLSearchParams({ email: 'nope', handles: 'a', timeZone: 'X', deliveryHour: '99' }),
    );
    expect(result.ok).toBe(false);
    expect(Object.keys(result.ok ? {} : result.errors).sort()).toEqual([
      'deliveryHour',
      'email',
      'handles',
      'timeZone',
    ]);
  });

  it('should refuse preferences that keep no account', () => {
    const result = validatePreferences(
      new URLSearchParams({ deliveryHour: '8', timeZone: 'UTC', quietNights: 'skip' }),
    );
    expect(result).toEqual({
      ok: false,
      errors: { accounts: 'Keep at least one account, or unsubscribe instead.' },
    });
  });
});
