/**
 * Use case: sign up for the digest (double opt-in).
 *
 * Primary course:
 * 1. Validate the form; resolve each username to a watched account.
 * 2. Count the attempt against the sign-ups allowed from the IP address.
 * 3. Look the address up. A new, pending or unsubscribed address becomes a pending subscription with the
 *    details given, and gets a confirmation email with a signed link that expires after 48 hours. An address
 *    that already receives the digest keeps its settings (an unauthenticated form must not change them) and
 *    gets a note with its preferences link instead.
 * 4. Answer the same "check your inbox" in every case of step 3, with the same amount of work (one lookup, one
 *    counter, one email), so the answer never tells whether the address was subscribed. A suppressed address,
 *    or one past its daily email limit, silently gets no email, behind the same answer.
 */
import { type Account, receivesDigests, type Subscriber } from '../model.ts';
import { DAY_MS, HOUR_MS } from '../time.ts';
import { type SubscriptionDeps, signedLink } from './deps.ts';
import { alreadySubscribedEmail, confirmationEmail } from './emails.ts';
import { type FieldErrors, type SignUpField, validateSignUp } from './validation.ts';

/** How long a confirmation link works. */
export const CONFIRMATION_LIFETIME_MS = 48 * HOUR_MS;

/** What became of a sign-up, as far as the page may tell. */
export type SignUpOutcome =
  | { kind: 'accepted' }
  | { kind: 'invalid'; errors: FieldErrors<SignUpField> }
  | { kind: 'rate_limited' };

/** The watched accounts for `handles`, or a message naming those that are not watched. */
export function resolveHandles(
  accounts: readonly Account[],
  handles: readonly string[],
): { ok: true; accounts: Account[] } | { ok: false; message: string } {
  const byHandle = new Map(accounts.map((account) => [account.handle.toLowerCase(), account]));
  const unknown = handles.filter((handle) => !byHandle.has(handle));
  if (unknown.length > 0) {
    return {
      ok: false,
      message: `${unknown.map((handle) => `@${handle}`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not watched yet: its creator can connect it first (link below the form).`,
    };
  }
  return { ok: true, accounts: handles.map((handle) => byHandle.get(handle) as Account) };
}

/** Handles one submitted sign-up form from `sourceIp`. */
export async function signUp(
  deps: Pick<
    SubscriptionDeps,
    | 'subscribers'
    | 'suppressions'
    | 'limiter'
    | 'mailer'
    | 'tokens'
    | 'links'
    | 'baseUrl'
    | 'limits'
    | 'now'
    | 'newId'
  >,
  form: URLSearchParams,
  sourceIp: string,
): Promise<SignUpOutcome> {
  const validated = validateSignUp(form);
  if (!validated.ok) return { kind: 'invalid', errors: validated.errors };
  const request = validated.value;
  const resolved = resolveHandles(await deps.subscribers.listAccounts(), request.handles);
  if (!resolved.ok) return { kind: 'invalid', errors: { handles: resolved.message } };

  const now = deps.now();
  const allowed = await deps.limiter.take(
    'sign-up-ip',
    sourceIp,
    deps.limits.signUpsPerIpPerHour,
    HOUR_MS / 1000,
    now,
  );
  if (!allowed) return { kind: 'rate_limited' };

  const existingId = await deps.subscribers.findSubscriberId(request.email);
  const existing =
    existingId === undefined ? undefined : await deps.subscribers.getSubscriber(existingId);
  const mayEmail =
    (await deps.limiter.take(
      'email-address',
      request.email.toLowerCase(),
      deps.limits.emailsPerAddressPerDay,
      DAY_MS / 1000,
      now,
    )) && !(await deps.suppressions.isSuppressed(request.email));

  if (existing && (receivesDigests(existing) || existing.status === 'paused')) {
    if (mayEmail) {
      await deps.mailer.send(
        alreadySubscribedEmail(existing.email, deps.links.preferences(existing.id)),
      );
    }
    return { kind: 'accepted' };
  }

  const pending: Subscriber = {
    id: existing?.id ?? deps.newId(),
    email: request.email,
    timeZone: request.timeZone,
    deliveryHour: request.deliveryHour,
    quietNights: existing?.quietNights ?? 'all_clear',
    accountIds: resolved.accounts.map((account) => account.id),
    status: 'pending',
  };
  await deps.subscribers.putSubscriber(pending);
  if (mayEmail) {
    const confirmUrl = signedLink(
      deps,
      '/confirm',
      'confirm',
      pending.id,
      CONFIRMATION_LIFETIME_MS,
    );
    await deps.mailer.send(confirmationEmail(pending.email, request.handles, confirmUrl));
  }
  return { kind: 'accepted' };
}
