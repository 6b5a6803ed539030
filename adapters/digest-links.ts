/** The signed links a digest carries (preferences, one-click unsubscribe, reconnect TikTok). */
import type { SubscriberLinks } from '../core/send-digests.ts';
import type { TokenPurpose, TokenSigner } from './signed-tokens.ts';

const DAY_MS = 86_400_000;

/** How long links in an email keep working: long enough to act on an old digest. */
const LINK_LIFETIME_DAYS = 60;

/** Builds digest links under `baseUrl`, each with a token signed for its purpose. */
export function createDigestLinks(
  baseUrl: string,
  signer: TokenSigner,
  now: () => Date,
): SubscriberLinks {
  const link = (path: string, purpose: TokenPurpose, subject: string) => {
    const url = new URL(path, baseUrl);
    url.searchParams.set(
      'token',
      signer.sign(purpose, subject, new Date(now().getTime() + LINK_LIFETIME_DAYS * DAY_MS)),
    );
    return url.toString();
  };
  return {
    preferences: (subscriberId) => link('/preferences', 'preferences', subscriberId),
    unsubscribe: (subscriberId) => link('/unsubscribe', 'unsubscribe', subscriberId),
    reconnect: (accountId) => link('/connect', 'reconnect', accountId),
  };
}
