/**
 * Use case: act on SES delivery events. A permanent bounce or a complaint puts the address on the suppression
 * list (the digest and the sign-up never mail it again); a complaint also unsubscribes the subscriber, since
 * marking the digest as spam is the strongest "stop" there is. Transient bounces and other events change
 * nothing: SES retries those itself.
 */
import type { SubscriptionDeps } from './deps.ts';

/** One SES event, reduced to what matters here (the adapter parses and validates the SES JSON). */
export type EmailEvent =
  | { kind: 'bounce'; permanent: boolean; recipients: string[]; at: Date }
  | { kind: 'complaint'; recipients: string[]; at: Date }
  | { kind: 'other'; type: string };

/** Counts of what a batch of events did. */
export interface EmailEventsSummary {
  suppressed: number;
  unsubscribed: number;
  ignored: number;
}

/** Records a batch of SES events. */
export async function recordEmailEvents(
  deps: Pick<SubscriptionDeps, 'suppressions' | 'subscribers'>,
  events: readonly EmailEvent[],
): Promise<EmailEventsSummary> {
  const summary: EmailEventsSummary = { suppressed: 0, unsubscribed: 0, ignored: 0 };
  for (const event of events) {
    if (event.kind === 'other' || (event.kind === 'bounce' && !event.permanent)) {
      summary.ignored += 1;
      continue;
    }
    for (const recipient of event.recipients) {
      await deps.suppressions.suppress(recipient, event.kind, event.at);
      summary.suppressed += 1;
      if (event.kind !== 'complaint') continue;
      const id = await deps.subscribers.findSubscriberId(recipient);
      const subscriber = id === undefined ? undefined : await deps.subscribers.getSubscriber(id);
      if (subscriber && subscriber.status !== 'unsubscribed') {
        await deps.subscribers.putSubscriber({
          ...subscriber,
          status: 'unsubscribed',
          unsubscribedAt: event.at.toISOString(),
        });
        summary.unsubscribed += 1;
      }
    }
  }
  return summary;
}
