/**
 * SES event notifications as SNS delivers them are attacker-reachable input only through AWS, but a malformed
 * or unexpected one must still end in a clear rejection or be handled: never another kind of error, and never
 * an address suppressed or a subscriber unsubscribed by an event that is not a permanent bounce or a
 * complaint about that very address.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSesEvents } from '../../adapters/ses-events.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { recordEmailEvents } from '../../core/subscriptions/email-events.ts';
import { memorySubscriptionDeps } from '../fakes/subscription-deps.ts';
import { createLedger } from '../reliability/harness.ts';

const NOW = new Date('2026-11-24T07:00:00Z');
const RUNS = 500;
const ledger = createLedger('ses-events-fuzz');

const anything = fc.jsonValue({ maxDepth: 3 });
const recipients = fc.array(
  fc.record({ emailAddress: fc.oneof(fc.emailAddress(), fc.string()) }, { requiredKeys: [] }),
  { maxLength: 3 },
);
/** Mostly `good`, sometimes any JSON value: near-misses of SES's shape. */
const mostly = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: anything });
/** Notifications close to SES's shape, with each field possibly missing or of the wrong type. */
const notification = fc.record(
  {
    eventType: mostly(fc.constantFrom('Bounce', 'Complaint', 'Delivery', 'Send')),
    notificationType: mostly(fc.constantFrom('Bounce', 'Complaint')),
    mail: mostly(fc.record({ messageId: fc.string(), timestamp: fc.string() })),
    bounce: mostly(
      fc.record({
        bounceType: fc.constantFrom('Permanent', 'Transient', 'Undetermined'),
        bouncedRecipients: recipients,
        timestamp: fc.string(),
      }),
    ),
    complaint: mostly(fc.record({ complainedRecipients: recipients })),
  },
  { requiredKeys: [] },
);
const delivery = fc.oneof(
  anything,
  notification,
  fc
    .array(
      fc.oneof(
        notification.map((n) => JSON.stringify(n)),
        fc.string(),
      ),
      { maxLength: 3 },
    )
    .map((messages) => ({ Records: messages.map((Message) => ({ Sns: { Message } })) })),
);

describe('SES events on arbitrary SNS deliveries', () => {
  it('should reject with InvalidInputError or record, and suppress only permanent bounces and complaints', async () => {
    let deliveries = 0;
    let rejected = 0;
    let wronglySuppressed = 0;
    try {
      await fc.assert(
        fc.asyncProperty(delivery, async (input) => {
          deliveries += 1;
          let events: ReturnType<typeof parseSesEvents>;
          try {
            events = parseSesEvents(input, NOW);
          } catch (error) {
            rejected += 1;
            expect(error).toBeInstanceOf(InvalidInputError);
            expect((error as Error).message).toMatch(/SES notification|SNS message/);
            return;
          }
          const { deps, state } = memorySubscriptionDeps({ now: () => NOW });
          await recordEmailEvents(
            { suppressions: deps.suppressions, subscribers: deps.subscribers },
            events,
          );
          const allowed = new Set(
            events.flatMap((event) =>
              event.kind === 'complaint' || (event.kind === 'bounce' && event.permanent)
                ? event.recipients.map((address) => address.toLowerCase())
                : [],
            ),
          );
          for (const address of state.suppressed.keys()) {
            if (!allowed.has(address.trim().toLowerCase())) wronglySuppressed += 1;
          }
          expect(wronglySuppressed).toBe(0);
        }),
        { numRuns: RUNS, seed: 20261124 },
      );
    } finally {
      ledger.record({
        suite: 'fuzz',
        name: 'SES events function: arbitrary SNS deliveries and SES notifications',
        inputsFuzzed: deliveries,
        duplicates: 0,
        losses: wronglySuppressed,
        details: { rejectedClearly: rejected, handled: deliveries - rejected },
      });
    }
  });
});
