/** Previewing one subscriber's digest without claiming, sending or recording anything. */
import { composeDigest } from '../digest/compose.ts';
import type { FleetAccount, Subscriber } from '../model.ts';
import type { ExplainFn, OutgoingEmail } from '../ports.ts';
import { floorToHour, HOUR_MS, localDateAndHour } from '../time.ts';
import { nightFromHistories, readHistories } from './night-parts.ts';
import { digestEmail, digestInputFor } from './send.ts';
import type { DueSubscriber, SendDigestJobsDeps } from './types.ts';

/** What `previewDigest` needs: no mailer, and nothing is written. */
export type PreviewDigestDeps = Pick<SendDigestJobsDeps, 'store' | 'links'> & {
  explain: ExplainFn;
};

/** One subscriber's digest as it would be sent, without claiming, sending or recording anything. */
export interface DigestPreview {
  localDate: string;
  /** The end of the night covered. */
  asOf: Date;
  /** The email, or undefined for a quiet night the subscriber chose to skip. */
  email?: OutgoingEmail;
}

/**
 * Composes the digest `subscriber` would get for the night ending at their delivery time on or before
 * `input.asOf` (the same night a tick then would report), for previewing. Reads the store, writes nothing.
 */
export async function previewDigest(
  deps: PreviewDigestDeps,
  input: { subscriber: Subscriber; asOf: Date; historyDays: number },
): Promise<DigestPreview> {
  const due = lastDelivery(input.subscriber, input.asOf);
  const accounts = await deps.store.listAccounts();
  const histories: FleetAccount[] = [];
  const explainer = deps.explain(due.asOf);
  await readHistories(deps.store, accounts, due.asOf, input.historyDays, (history) => {
    histories.push(history);
    explainer.add(history);
  });
  const night = nightFromHistories(accounts, histories, explainer.finish());
  const digest = composeDigest(await digestInputFor(deps, due, night));
  const preview: DigestPreview = { localDate: due.localDate, asOf: due.asOf };
  if (digest !== undefined) preview.email = digestEmail(deps.links, input.subscriber, digest);
  return preview;
}

/** The subscriber's latest delivery time at or before `instant`, and its local date. */
function lastDelivery(subscriber: Subscriber, instant: Date): DueSubscriber {
  // Walk back hour by hour to the local delivery hour: within a day, or two when DST skipped it.
  let hour = floorToHour(instant);
  for (let step = 0; step <= 49; step++) {
    const local = localDateAndHour(hour, subscriber.timeZone);
    if (local.hour === subscriber.deliveryHour) {
      return { subscriber, asOf: hour, localDate: local.date };
    }
    hour = new Date(hour.getTime() - HOUR_MS);
  }
  throw new RangeError(`no delivery hour ${subscriber.deliveryHour} in ${subscriber.timeZone}`);
}
