/**
 * Use cases behind the links in digests: read and change preferences, unsubscribe. Each starts from a signed
 * token whose subject is the subscriber id; a token that is forged, expired or made for another purpose is
 * refused with the reason. (Confirmation links name a sign-up request instead: `sign-up.ts`.)
 */
import type { Subscriber } from '../model.ts';
import type { SubscriptionDeps } from './deps.ts';
import type { TokenRejection } from './ports.ts';
import { resolveHandles } from './sign-up.ts';

import {
  type FieldErrors,
  MAX_ACCOUNTS_PER_SUBSCRIBER,
  type PreferencesField,
  validatePreferences,
} from './validation.ts';

/** The preferences page has no connect link: the sign-up page has it. */
const CONNECT_FROM_SIGN_UP = 'its creator can connect it first from the sign-up page';

/** A link that cannot be used: a refused token, or a subscriber that no longer exists. */
export type LinkProblem = { kind: 'bad_link'; rejection: TokenRejection | 'unknown_subscriber' };

type Deps = Pick<SubscriptionDeps, 'subscribers' | 'tokens' | 'now'>;

/** The subscriber a `purpose` token names, or why the link cannot be used. */
export async function subscriberFromToken(
  deps: Deps,
  token: string,
  purpose: 'preferences' | 'unsubscribe',
): Promise<{ kind: 'ok'; subscriber: Subscriber } | LinkProblem> {
  const check = deps.tokens.verify(token, purpose, deps.now());
  if (!check.ok) return { kind: 'bad_link', rejection: check.rejection };
  const subscriber = await deps.subscribers.getSubscriber(check.subject);
  if (!subscriber) return { kind: 'bad_link', rejection: 'unknown_subscriber' };
  return { kind: 'ok', subscriber };
}

/** What saving preferences did. */
export type SavePreferencesOutcome =
  | { kind: 'saved'; subscriber: Subscriber }
  | { kind: 'invalid'; subscriber: Subscriber; errors: FieldErrors<PreferencesField> }
  | LinkProblem;

/**
 * Applies a submitted preferences form. Pausing sets `paused`, un-pausing (or saving after unsubscribing: the
 * link proves the inbox is theirs) sets `active`; a pending subscription stays pending until confirmed.
 */
export async function savePreferences(
  deps: Deps,
  token: string,
  form: URLSearchParams,
): Promise<SavePreferencesOutcome> {
  const found = await subscriberFromToken(deps, token, 'preferences');
  if (found.kind !== 'ok') return found;
  const { subscriber } = found;
  const validated = validatePreferences(form);
  if (!validated.ok) return { kind: 'invalid', subscriber, errors: validated.errors };
  const request = validated.value;
  const added = resolveHandles(
    await deps.subscribers.listAccounts(),
    request.addHandles,
    CONNECT_FROM_SIGN_UP,
  );
  if (!added.ok) return { kind: 'invalid', subscriber, errors: { accounts: added.message } };
  // Only accounts already on the subscription can be kept: the form cannot smuggle in arbitrary ids.
  const kept = subscriber.accountIds.filter((id) => request.keepAccountIds.includes(id));
  const accountIds = [...new Set([...kept, ...added.accounts.map((account) => account.id)])];
  if (accountIds.length === 0) {
    return {
      kind: 'invalid',
      subscriber,
      errors: { accounts: 'Keep at least one account, or unsubscribe instead.' },
    };
  }
  if (accountIds.length > MAX_ACCOUNTS_PER_SUBSCRIBER) {
    return {
      kind: 'invalid',
      subscriber,
      errors: { accounts: `Choose at most ${MAX_ACCOUNTS_PER_SUBSCRIBER} accounts.` },
    };
  }
  const status = subscriber.status === 'pending' ? 'pending' : request.paused ? 'paused' : 'active';
  const updated: Subscriber = {
    ...subscriber,
    deliveryHour: request.deliveryHour,
    timeZone: request.timeZone,
    quietNights: request.quietNights,
    accountIds,
    status,
  };
  await deps.subscribers.putSubscriber(updated);
  return { kind: 'saved', subscriber: updated };
}

/** What unsubscribing did. */
export type UnsubscribeOutcome = { kind: 'unsubscribed' } | LinkProblem;

/**
 * Unsubscribes at once (RFC 8058 asks for it within two days; there is no reason to wait). Idempotent, and a
 * subscriber removed by the operator counts as unsubscribed.
 */
export async function unsubscribe(deps: Deps, token: string): Promise<UnsubscribeOutcome> {
  const check = deps.tokens.verify(token, 'unsubscribe', deps.now());
  if (!check.ok) return { kind: 'bad_link', rejection: check.rejection };
  const subscriber = await deps.subscribers.getSubscriber(check.subject);
  if (subscriber && subscriber.status !== 'unsubscribed') {
    await deps.subscribers.putSubscriber({
      ...subscriber,
      status: 'unsubscribed',
      unsubscribedAt: deps.now().toISOString(),
    });
  }
  return { kind: 'unsubscribed' };
}
