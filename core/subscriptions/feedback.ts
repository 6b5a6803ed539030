/**
 * Use case: a subscriber answers "was this the cause?" from a digest. The link carries a `feedback` token
 * whose subject names the subscriber, account, night and cause; the answer (`yes`/`no`) travels beside it.
 * The answer is recorded against the digest's local date (the night's end in the subscriber's time zone), and
 * answering again replaces the earlier answer.
 */
import type { Feedback } from '../model.ts';
import { localDateAndHour } from '../time.ts';
import type { FeedbackQuestion, SubscriptionDeps } from './deps.ts';
import type { TokenRejection } from './ports.ts';

/** The question a feedback link asks, or why the link cannot be used. */
export type FeedbackLink =
  | { kind: 'ok'; question: FeedbackQuestion; answer: 'yes' | 'no' }
  | { kind: 'bad_link'; rejection: TokenRejection | 'not_feedback' | 'bad_answer' };

/** Reads a feedback link's token and answer. */
export function readFeedbackLink(
  deps: Pick<SubscriptionDeps, 'tokens' | 'decodeFeedbackSubject' | 'now'>,
  token: string,
  answer: string | null,
): FeedbackLink {
  const check = deps.tokens.verify(token, 'feedback', deps.now());
  if (!check.ok) return { kind: 'bad_link', rejection: check.rejection };
  const question = deps.decodeFeedbackSubject(check.subject);
  if (!question) return { kind: 'bad_link', rejection: 'not_feedback' };
  if (answer !== 'yes' && answer !== 'no') return { kind: 'bad_link', rejection: 'bad_answer' };
  return { kind: 'ok', question, answer };
}

/** Records the answer of a valid feedback link. */
export async function recordFeedback(
  deps: Pick<
    SubscriptionDeps,
    'tokens' | 'decodeFeedbackSubject' | 'now' | 'subscribers' | 'feedback'
  >,
  token: string,
  answer: string | null,
): Promise<FeedbackLink> {
  const link = readFeedbackLink(deps, token, answer);
  if (link.kind !== 'ok') return link;
  const { question } = link;
  const subscriber = await deps.subscribers.getSubscriber(question.subscriberId);
  // The digest's marker is keyed by the local date of its delivery; a removed subscriber's night is taken in UTC.
  const night = localDateAndHour(new Date(question.night), subscriber?.timeZone ?? 'UTC').date;
  const feedback: Feedback = {
    subscriberId: question.subscriberId,
    accountId: question.accountId,
    night,
    cause: question.cause,
    correct: link.answer === 'yes',
    answeredAt: deps.now().toISOString(),
  };
  await deps.feedback.putFeedback(feedback);
  return link;
}
