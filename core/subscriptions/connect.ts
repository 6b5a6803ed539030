/**
 * Use case: a creator connects (or reconnects) a TikTok account through TikTok's OAuth (Login Kit).
 *
 * Primary course:
 * 1. Start: make a fresh nonce, sign it as a `connect` state valid for ten minutes, and send the browser to
 *    TikTok's authorize page with that state. The nonce also goes into a cookie, binding the state to this
 *    browser.
 * 2. Callback: accept the state only if its signature, purpose and expiry hold, it matches the browser's
 *    cookie, and it was never used before (recorded, so a replay is refused). Then exchange the code for
 *    tokens, read who authorized (a username that is not a TikTok username stores nothing), store the tokens
 *    sealed, and register the account for the Display API source under its stable `open_id` (an account
 *    already watched is reactivated and renamed if needed).
 */
import { type Account, isTikTokHandle } from '../model.ts';
import { limitedClient } from './client-network.ts';
import type { SubscriptionDeps } from './deps.ts';
import type { TokenRejection } from './ports.ts';
import { REQUIRED_DISPLAY_SCOPES } from './scopes.ts';

/** How long a connection may take between leaving for TikTok and coming back. */
export const CONNECT_STATE_LIFETIME_MS = 10 * 60_000;

/** Where the browser goes, and the nonce to bind to it. */
export interface ConnectStart {
  authorizeUrl: string;
  nonce: string;
  expiresAt: Date;
}

/** Starts a connection, or says that this client's network (its IPv4 address or IPv6 /64) started too many. */
export async function startConnect(
  deps: Pick<SubscriptionDeps, 'tokens' | 'tiktok' | 'limiter' | 'limits' | 'now' | 'newId'>,
  sourceIp: string,
): Promise<{ kind: 'redirect'; start: ConnectStart } | { kind: 'rate_limited' }> {
  const now = deps.now();
  const allowed = await deps.limiter.take(
    'connect-ip',
    limitedClient(sourceIp),
    deps.limits.connectsPerIpPerHour,
    3_600,
    now,
  );
  if (!allowed) return { kind: 'rate_limited' };
  const nonce = deps.newId();
  const expiresAt = new Date(now.getTime() + CONNECT_STATE_LIFETIME_MS);
  const state = deps.tokens.sign('connect', nonce, expiresAt);
  return {
    kind: 'redirect',
    start: { authorizeUrl: deps.tiktok.authorizeUrl(state), nonce, expiresAt },
  };
}

/** What TikTok sent back to the callback. */
export interface ConnectCallback {
  state: string | undefined;
  code: string | undefined;
  /** Set when the creator declined or TikTok failed. */
  error: string | undefined;
  /** The nonce from the browser's cookie. */
  cookieNonce: string | undefined;
}

/** What the callback did. */
export type ConnectOutcome =
  | { kind: 'connected'; account: Account; reconnected: boolean }
  | {
      kind: 'bad_state';
      rejection: TokenRejection | 'missing' | 'other_browser' | 'replayed';
    }
  | { kind: 'declined' }
  | { kind: 'missing_scopes'; missing: string[] }
  /** TikTok named the account with something that is not a TikTok username. */
  | { kind: 'bad_handle' }
  | { kind: 'exchange_failed' };

/** Completes a connection; see the module comment. */
export async function completeConnect(
  deps: Pick<
    SubscriptionDeps,
    'tokens' | 'tiktok' | 'singleUse' | 'credentials' | 'accounts' | 'now'
  >,
  callback: ConnectCallback,
): Promise<ConnectOutcome> {
  const now = deps.now();
  if (!callback.state) return { kind: 'bad_state', rejection: 'missing' };
  const check = deps.tokens.verify(callback.state, 'connect', now);
  if (!check.ok) return { kind: 'bad_state', rejection: check.rejection };
  if (callback.cookieNonce !== check.subject)
    return { kind: 'bad_state', rejection: 'other_browser' };
  // Recorded before anything else happens, so two concurrent callbacks cannot both go on.
  const firstUse = await deps.singleUse.use(
    `connect:${check.subject}`,
    new Date(now.getTime() + CONNECT_STATE_LIFETIME_MS),
  );
  if (!firstUse) return { kind: 'bad_state', rejection: 'replayed' };
  if (callback.error !== undefined || !callback.code) return { kind: 'declined' };

  let authorized: Awaited<ReturnType<typeof deps.tiktok.exchange>>;
  try {
    authorized = await deps.tiktok.exchange(callback.code, now);
  } catch {
    return { kind: 'exchange_failed' };
  }
  const granted = (authorized.credentials.scope ?? '').split(',').map((scope) => scope.trim());
  const missing = [...REQUIRED_DISPLAY_SCOPES, 'user.info.profile'].filter(
    (scope) => !granted.includes(scope),
  );
  if (missing.length > 0 || authorized.handle === undefined) {
    return { kind: 'missing_scopes', missing };
  }
  // TikTok's answer is input like any other: a username that breaks TikTok's own rules is refused, not stored.
  if (!isTikTokHandle(authorized.handle)) return { kind: 'bad_handle' };

  await deps.credentials.putCredentials(authorized.accountId, authorized.credentials);
  const known = (await deps.accounts.listAccounts()).find(
    (account) => account.id === authorized.accountId,
  );
  if (known) {
    await deps.accounts.setAccountStatus(known.id, 'active');
    await deps.accounts.recordHandle(known.id, authorized.handle, now);
    return {
      kind: 'connected',
      account: { ...known, handle: authorized.handle, status: 'active' },
      reconnected: true,
    };
  }
  const account: Account = {
    platform: 'tiktok',
    id: authorized.accountId,
    handle: authorized.handle,
    source: 'display_api',
    status: 'active',
    addedAt: now.toISOString(),
  };
  await deps.accounts.putAccount(account);
  return { kind: 'connected', account, reconnected: false };
}
