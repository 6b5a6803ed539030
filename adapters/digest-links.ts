/**
 * The signed links a digest carries: preferences, one-click unsubscribe, reconnect TikTok, and the "was this
 * the cause?" feedback answers.
 */
import { z } from 'zod';
import { encodeHistorySubject } from '../core/history/link.ts';
import { Cause } from '../core/model.ts';
import type { SubscriberLinks } from '../core/send-digests.ts';
import { siteUrl } from '../core/site-url.ts';
import type { TokenPurpose, TokenSigner } from './signed-tokens.ts';

const DAY_MS = 86_400_000;

/** How long links in an email keep working: long enough to act on an old digest. */
const LINK_LIFETIME_DAYS = 60;

/**
 * What a `feedback` token is about, carried (signed) as the token's subject: which subscriber answers about
 * which cause named for which account's night (the instant the night ended).
 */
export const FeedbackSubject = z.object({
  subscriberId: z.string().min(1),
  accountId: z.string().min(1),
  night: z.iso.datetime({ offset: false }),
  cause: Cause,
});
export type FeedbackSubject = z.infer<typeof FeedbackSubject>;

/** The answer a feedback link gives; it travels next to the token, since both answers share one token. */
export const FeedbackAnswer = z.enum(['yes', 'no']);
export type FeedbackAnswer = z.infer<typeof FeedbackAnswer>;

/** Order of the fields in an encoded feedback subject. */
const FEEDBACK_FIELDS = ['subscriberId', 'accountId', 'night', 'cause'] as const;

/**
 * Encodes a feedback subject for signing, compactly (it travels in every feedback link): the fields
 * percent-encoded and joined by `/`, which percent-encoding never leaves bare.
 */
export function encodeFeedbackSubject(subject: FeedbackSubject): string {
  return FEEDBACK_FIELDS.map((field) => encodeURIComponent(subject[field])).join('/');
}

/** Decodes the subject of a verified `feedback` token, or undefined when it is not one. */
export function decodeFeedbackSubject(subject: string): FeedbackSubject | undefined {
  const parts = subject.split('/');
  if (parts.length !== FEEDBACK_FIELDS.length) return undefined;
  try {
    const parsed = FeedbackSubject.safeParse(
      Object.fromEntries(
        FEEDBACK_FIELDS.map((field, index) => [field, decodeURIComponent(parts[index] as string)]),
      ),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Builds digest links under `baseUrl`, each with a token signed for its purpose. */
export function createDigestLinks(
  baseUrl: string,
  signer: TokenSigner,
  now: () => Date,
): SubscriberLinks {
  const link = (
    path: string,
    purpose: TokenPurpose,
    subject: string,
    extra: Record<string, string> = {},
  ) => {
    const url = siteUrl(baseUrl, path);
    url.searchParams.set(
      'token',
      signer.sign(purpose, subject, new Date(now().getTime() + LINK_LIFETIME_DAYS * DAY_MS)),
    );
    for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
    return url.toString();
  };
  return {
    preferences: (subscriberId) => link('/preferences', 'preferences', subscriberId),
    unsubscribe: (subscriberId) => link('/unsubscribe', 'unsubscribe', subscriberId),
    reconnect: (accountId) => link('/connect', 'reconnect', accountId),
    history: (subscriberId, accountId) =>
      link('/history', 'history', encodeHistorySubject(subscriberId, accountId)),
    feedback: (subscriberId, accountId, night, cause) => {
      const subject = encodeFeedbackSubject({ subscriberId, accountId, night, cause });
      const answer = (value: FeedbackAnswer) =>
        link('/feedback', 'feedback', subject, { answer: value });
      return { yes: answer('yes'), no: answer('no') };
    },
  };
}
