/**
 * Use cases: sign up for the digest (double opt-in), and confirm a sign-up from its email link.
 *
 * Primary course of a sign-up:
 * 1. Validate the form; resolve each username to a watched account.
 * 2. Count the attempt against the sign-ups allowed from the client's network (its IPv4 address, or its IPv6
 *    /64).
 * 3. Look the address up and store the request on its own, under a fresh nonce, with exactly the settings it
 *    asked for. Nothing about an existing subscription changes: an unauthenticated form must not change
 *    anyone's settings, and a second request for the same address is a second record, not an overwrite.
 * 4. Mail the address a link signed for that nonce (48 hours): a confirmation for a new, pending or
 *    unsubscribed address; for one that already receives the digest, a note with its preferences link and the
 *    same link to switch to the settings just asked for.
 * 5. Answer the same "check your inbox" in every case of step 4, after the same work (two lookups, one
 *    counter, one suppression check, one write, one email), so neither the answer nor its timing tells
 *    whether the address was subscribed. A suppressed address, or one past its daily email limit, silently gets
 *    no email, behind the same answer.
 *
 * Confirming applies the settings of the request whose link was clicked, and only those.
 */
import {
  type Account,
  type PendingSignUp,
  receivesDigests,
  type Subscriber,
  type TokenPurpose,
} from '../model.ts';
import { DAY_MS, HOUR_MS } from '../time.ts';
import { limitedClient } from './client-network.ts';
import { type SubscriptionDeps, signedLink } from './deps.ts';
import { alreadySubscribedEmail, confirmationEmail } from './emails.ts';
import type { TokenRejection } from './ports.ts';
import { type FieldErrors, type SignUpField, validateSignUp } from './validation.ts';

/** How long a confirmation link works. */
export const CONFIRMATION_LIFETIME_MS = 48 * HOUR_MS;

/** A request is kept a day past its link's expiry, so an expired link says "expired", not "unknown". */
const SIGN_UP_KEPT_AFTER_LINK_MS = DAY_MS;

/** The token purpose of confirmation links. */
const CONFIRM = 'confirm' satisfies TokenPurpose;

/** What became of a sign-up, as far as the page may tell. */
export type SignUpOutcome =
  | { kind: 'accepted' }
  | { kind: 'invalid'; errors: FieldErrors<SignUpField> }
  | { kind: 'rate_limited' };

/** Where the sign-up page sends a creator whose account is not watched yet. */
export const CONNECT_BELOW_THE_FORM = 'its creator can connect it first (link below the form)';

/**
 * The watched accounts for `handles`, or a message naming those that are not watched, ending with `fix`: what
 * to do about it where the handles were given (each surface has its own way to add an account).
 */
export function resolveHandles(
  accounts: readonly Account[],
  handles: readonly string[],
  fix: string,
): { ok: true; accounts: Account[] } | { ok: false; message: string } {
  const byHandle = new Map(accounts.map((account) => [account.handle.toLowerCase(), account]));
  const unknown = handles.filter((handle) => !byHandle.has(handle));
  if (unknown.length > 0) {
    return {
      ok: false,
      message: `${unknown.map((handle) => `@${handle}`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not watched yet: ${fix}.`,
    };
  }
  return { ok: true, accounts: handles.map((handle) => byHandle.get(handle) as Account) };
}

/** Handles one submitted sign-up form from `sourceIp`. */
export async function signUp(
  deps: Pick<
    SubscriptionDeps,
    | 'subscribers'
    | 'signUps'
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
  const resolved = resolveHandles(
    await deps.subscribers.listAccounts(),
    request.handles,
    CONNECT_BELOW_THE_FORM,
  );
  if (!resolved.ok) return { kind: 'invalid', errors: { handles: resolved.message } };

  const now = deps.now();
  const allowed = await deps.limiter.take(
    'sign-up-ip',
    limitedClient(sourceIp),
    deps.limits.signUpsPerIpPerHour,
    HOUR_MS / 1000,
    now,
  );
  if (!allowed) return { kind: 'rate_limited' };

  // The same reads on every path: a new address looks up the id it would get, and finds nothing.
  const newId = deps.newId();
  const existingId = await deps.subscribers.findSubscriberId(request.email);
  const existing = await deps.subscribers.getSubscriber(existingId ?? newId);
  const mayEmail =
    (await deps.limiter.take(
      'email-address',
      request.email.toLowerCase(),
      deps.limits.emailsPerAddressPerDay,
      DAY_MS / 1000,
      now,
    )) && !(await deps.suppressions.isSuppressed(request.email));

  const pending: PendingSignUp = {
    nonce: deps.newId(),
    email: request.email,
    subscriberId: existing?.id ?? newId,
    timeZone: request.timeZone,
    deliveryHour: request.deliveryHour,
    accountIds: resolved.accounts.map((account) => account.id),
    requestedAt: now.toISOString(),
  };
  const linkExpiresAt = new Date(now.getTime() + CONFIRMATION_LIFETIME_MS);
  await deps.signUps.putSignUp(
    pending,
    new Date(linkExpiresAt.getTime() + SIGN_UP_KEPT_AFTER_LINK_MS),
  );
  if (!mayEmail) return { kind: 'accepted' };
  const confirmUrl = signedLink(deps, '/confirm', CONFIRM, pending.nonce, linkExpiresAt);
  const settings = { handles: request.handles, ...pending };
  await deps.mailer.send(
    existing && (receivesDigests(existing) || existing.status === 'paused')
      ? alreadySubscribedEmail(existing.email, deps.links.preferences(existing.id), {
          ...settings,
          confirmUrl,
        })
      : confirmationEmail(pending.email, { ...settings, confirmUrl }),
  );
  return { kind: 'accepted' };
}

/** Why a confirmation link cannot be used. */
export type SignUpLinkProblem = {
  kind: 'bad_link';
  rejection: TokenRejection | 'unknown_sign_up';
};

/** The sign-up request a confirmation link names, or why the link cannot be used. */
export async function signUpFromToken(
  deps: Pick<SubscriptionDeps, 'signUps' | 'tokens' | 'now'>,
  token: string,
): Promise<{ kind: 'ok'; request: PendingSignUp } | SignUpLinkProblem> {
  const check = deps.tokens.verify(token, CONFIRM, deps.now());
  if (!check.ok) return { kind: 'bad_link', rejection: check.rejection };
  const request = await deps.signUps.getSignUp(check.subject);
  if (!request) return { kind: 'bad_link', rejection: 'unknown_sign_up' };
  return { kind: 'ok', request };
}

/** What confirming did. */
export type ConfirmOutcome =
  | { kind: 'confirmed'; subscriber: Subscriber }
  | { kind: 'already_confirmed'; subscriber: Subscriber }
  /** Unsubscribed after the link was sent: an old confirmation link must not subscribe again. */
  | { kind: 'no_longer_pending' }
  | SignUpLinkProblem;

/**
 * Confirms the sign-up request a link names: the address's subscriber (created on first confirmation) takes
 * exactly that request's accounts, time zone and hour, and receives the digest. Idempotent: a second click
 * says it is already confirmed.
 */
export async function confirmSignUp(
  deps: Pick<SubscriptionDeps, 'signUps' | 'subscribers' | 'tokens' | 'now'>,
  token: string,
): Promise<ConfirmOutcome> {
  const found = await signUpFromToken(deps, token);
  if (found.kind !== 'ok') return found;
  const { request } = found;
  const id = await deps.subscribers.claimSubscriberId(request.email, request.subscriberId);
  const existing = await deps.subscribers.getSubscriber(id);
  if (request.confirmedAt !== undefined && existing) {
    return { kind: 'already_confirmed', subscriber: existing };
  }
  if (existing?.unsubscribedAt !== undefined && existing.unsubscribedAt > request.requestedAt) {
    return { kind: 'no_longer_pending' };
  }
  const subscriber: Subscriber = {
    id,
    email: request.email,
    timeZone: request.timeZone,
    deliveryHour: request.deliveryHour,
    quietNights: existing?.quietNights ?? 'all_clear',
    accountIds: request.accountIds,
    status: 'active',
  };
  await deps.subscribers.putSubscriber(subscriber);
  await deps.signUps.markSignUpConfirmed(request.nonce, deps.now());
  return { kind: 'confirmed', subscriber };
}
