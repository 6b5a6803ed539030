/**
 * Validation of what people type into the subscription pages (and give `likewatch subscribers add`), with
 * messages that say what is wrong and what would be right, worded once for every surface: the pages show them
 * next to the field, the CLI after the flag. Pure: the page handlers pass the submitted form and get either clean values or one message per
 * field that needs fixing.
 */
import { z } from 'zod';
import { isTikTokHandle, TimeZone } from '../model.ts';

/** Longest address accepted (RFC 5321's path limit). */
const MAX_EMAIL_LENGTH = 254;
/** More accounts than this on one subscription is not a digest anyone reads. */
export const MAX_ACCOUNTS_PER_SUBSCRIBER = 20;

/** A field's problem, worded for the person filling in the form. */
export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

/** Clean values, or what to fix and the values as typed (to show the form again). */
export type Validated<Value, Field extends string> =
  | { ok: true; value: Value }
  | { ok: false; errors: FieldErrors<Field> };

/** The address, trimmed, or why it is not one. */
export function checkEmail(
  raw: string,
): { ok: true; email: string } | { ok: false; message: string } {
  const email = raw.trim();
  if (email === '') return { ok: false, message: 'An email address is needed.' };
  if (email.length > MAX_EMAIL_LENGTH || !z.email().safeParse(email).success) {
    return { ok: false, message: 'Not an email address: write one like name@example.com.' };
  }
  return { ok: true, email };
}

/**
 * The TikTok usernames in `raw` (separated by commas, spaces or new lines; a leading `@` is fine), lower-cased
 * and without duplicates, or what is wrong with them.
 */
export function checkHandles(
  raw: string,
  { required }: { required: boolean },
): { ok: true; handles: string[] } | { ok: false; message: string } {
  const words = raw
    .split(/[\s,;]+/)
    .map((word) => word.replace(/^@/, '').toLowerCase())
    .filter(Boolean);
  if (words.length === 0) {
    return required
      ? { ok: false, message: 'At least one TikTok username is needed, e.g. @luna.bakes.' }
      : { ok: true, handles: [] };
  }
  const invalid = words.filter((word) => !isTikTokHandle(word));
  if (invalid.length > 0) {
    return {
      ok: false,
      message: `${invalid.map((word) => `"${word}"`).join(', ')} ${invalid.length === 1 ? 'is' : 'are'} not a TikTok username: use 2–24 letters, digits, underscores or periods, not ending with a period.`,
    };
  }
  const handles = [...new Set(words)];
  if (handles.length > MAX_ACCOUNTS_PER_SUBSCRIBER) {
    return { ok: false, message: `Enter at most ${MAX_ACCOUNTS_PER_SUBSCRIBER} usernames.` };
  }
  return { ok: true, handles };
}

/** An IANA zone name (`Europe/Berlin`, `UTC`), not an offset or an abbreviation. */
export function checkTimeZone(
  raw: string,
): { ok: true; timeZone: string } | { ok: false; message: string } {
  const timeZone = raw.trim();
  const named = /^(UTC|[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/.test(timeZone);
  if (!named || !TimeZone.safeParse(timeZone).success) {
    return { ok: false, message: 'Not a time zone name: use one like Europe/Berlin or UTC.' };
  }
  return { ok: true, timeZone };
}

/** A whole hour 0–23. */
export function checkHour(
  raw: string,
): { ok: true; hour: number } | { ok: false; message: string } {
  const trimmed = raw.trim();
  const hour = Number(trimmed);
  if (!/^\d{1,2}$/.test(trimmed) || hour > 23) {
    return { ok: false, message: 'The hour is a whole number from 0 to 23.' };
  }
  return { ok: true, hour };
}

/** Fields of the sign-up form. */
export type SignUpField = 'email' | 'handles' | 'timeZone' | 'deliveryHour';

/** A valid sign-up request. */
export interface SignUpRequest {
  email: string;
  handles: string[];
  timeZone: string;
  deliveryHour: number;
}

/** Checks the sign-up form. */
export function validateSignUp(form: URLSearchParams): Validated<SignUpRequest, SignUpField> {
  const email = checkEmail(form.get('email') ?? '');
  const handles = checkHandles(form.get('handles') ?? '', { required: true });
  const timeZone = checkTimeZone(form.get('timeZone') ?? '');
  const hour = checkHour(form.get('deliveryHour') ?? '');
  if (email.ok && handles.ok && timeZone.ok && hour.ok) {
    return {
      ok: true,
      value: {
        email: email.email,
        handles: handles.handles,
        timeZone: timeZone.timeZone,
        deliveryHour: hour.hour,
      },
    };
  }
  const errors: FieldErrors<SignUpField> = {};
  if (!email.ok) errors.email = email.message;
  if (!handles.ok) errors.handles = handles.message;
  if (!timeZone.ok) errors.timeZone = timeZone.message;
  if (!hour.ok) errors.deliveryHour = hour.message;
  return { ok: false, errors };
}

/** Fields of the preferences form. */
export type PreferencesField = 'deliveryHour' | 'timeZone' | 'quietNights' | 'accounts';

/** A valid preferences change (accounts as kept ids plus usernames to add). */
export interface PreferencesRequest {
  deliveryHour: number;
  timeZone: string;
  quietNights: 'all_clear' | 'skip';
  paused: boolean;
  keepAccountIds: string[];
  addHandles: string[];
}

/** Checks the preferences form. */
export function validatePreferences(
  form: URLSearchParams,
): Validated<PreferencesRequest, PreferencesField> {
  const hour = checkHour(form.get('deliveryHour') ?? '');
  const timeZone = checkTimeZone(form.get('timeZone') ?? '');
  const quietNights = form.get('quietNights');
  const addHandles = checkHandles(form.get('addHandles') ?? '', { required: false });
  const keepAccountIds = [...new Set(form.getAll('account'))].filter(Boolean);
  const errors: FieldErrors<PreferencesField> = {};
  if (!hour.ok) errors.deliveryHour = hour.message;
  if (!timeZone.ok) errors.timeZone = timeZone.message;
  if (quietNights !== 'all_clear' && quietNights !== 'skip') {
    errors.quietNights = 'Choose what to send on a quiet night.';
  }
  if (!addHandles.ok) errors.accounts = addHandles.message;
  else if (keepAccountIds.length + addHandles.handles.length === 0) {
    errors.accounts = 'Keep at least one account, or unsubscribe instead.';
  }
  if (!hour.ok || !timeZone.ok || !addHandles.ok || errors.quietNights || errors.accounts) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      deliveryHour: hour.hour,
      timeZone: timeZone.timeZone,
      quietNights: quietNights as 'all_clear' | 'skip',
      paused: form.get('paused') === 'on',
      keepAccountIds,
      addHandles: addHandles.handles,
    },
  };
}
