/**
 * A digest tick that runs out of time on the local runtime, through the real handlers and the embedded queues:
 * it hands its night to the part queue, and every due subscriber is still mailed exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_QUEUE_NAMES } from '../../deployment/fan-out.ts';
import {
  AS_OF,
  createLedger,
  emailsPerRecipient,
  type FaultHarness,
  startPolledHarness,
} from './harness.ts';

const ledger = createLedger('tick-deadline');

describe('a digest tick that runs out of time on the local runtime', () => {
  let harness: FaultHarness;

  beforeAll(async () => {
    harness = await startPolledHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('should hand its night to the part queue and still mail each subscriber once', async () => {
    // Arrange: an invocation left with no more than the deadline margin, so it must stop at once.
    const { digestTickHandler } = await import('../../lambdas/digest-tick/handler.ts');
    const { digestPartsHandler } = await import('../../lambdas/digest-parts/handler.ts');
    const { digestWorkerHandler } = await import('../../lambdas/digest-worker/handler.ts');
    const shortOfTime = { awsRequestId: 'short', getRemainingTimeInMillis: () => 90_000 };
    const fresh = { awsRequestId: 'fresh', getRemainingTimeInMillis: () => 900_000 };
    // Act: the tick, then its part queue and the digest queue, as the event sources would deliver them.
    const tick = await digestTickHandler(
      { kind: 'digest', scheduledTime: AS_OF.toISOString() },
      shortOfTime,
    );
    const parts = await harness.services.sqs
      .queue(LOCAL_QUEUE_NAMES.digestParts)
      .drain((event) => digestPartsHandler(event, fresh));
    const digests = await harness.services.sqs
      .queue(LOCAL_QUEUE_NAMES.digest)
      .drain((event) => digestWorkerHandler(event));
    // Assert: the tick stored and queued nothing itself; one part did the night.
    expect(tick).toMatchObject({ due: 0, explained: 0, enqueued: 0, parts: 1 });
    expect(parts).toMatchObject({ deliveries: 1, redelivered: 0, deadLettered: 0 });
    expect(digests.deadLettered).toBe(0);
    const emails = await emailsPerRecipient(harness);
    const sent = harness.subscribers.map((s) => emails.get(s.email)?.length ?? 0);
    expect(sent).toEqual([1, 1, 1]);
    ledger.record({
      suite: 'faults',
      name: 'a digest tick out of time at once, its night handed to the part queue',
      faultsInjected: 1,
      duplicates: sent.reduce((sum, count) => sum + Math.max(0, count - 1), 0),
      losses: sent.filter((count) => count === 0).length,
      details: { partDeliveries: parts.deliveries },
    });
  });
});
