/**
 * A night and three mornings on the local runtime with something failing at every step: the fake TikTok's
 * faults, DynamoDB stopped at a tick and cutting connections mid-batch, a poll worker running out of time, SES
 * throttling and rejecting, and a digest run that died between its claim and its send. After each: a stored
 * poll or a recorded failure for every account and slot, no duplicate poll, no duplicate email, no loss
 * reported in a world that lost no like, and the next run catches up.
 */
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollJob } from '../../core/model.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import type { FaultSpec } from '../../local/fake-tiktok/faults.ts';
import {
  AS_OF,
  auditPolls,
  createLedger,
  deliveredIds,
  emailsPerRecipient,
  type FaultHarness,
  pollSlot,
  pollSlots,
  sesError,
  startFaultHarness,
} from './harness.ts';

const SLOTS = pollSlots(new Date(AS_OF.getTime() - 3 * DAY_MS), AS_OF);
const ledger = createLedger('night-faults');
/** The poll worker stops starting jobs this long before its deadline (set for the harness below). */
const DEADLINE_MARGIN_MS = 5_000;

/** One fake TikTok fault (or set of them) per slot of the first day and a half. */
const TIKTOK_FAULTS: FaultSpec[][] = [
  [{ kind: 'rate_limit' }, { kind: 'gateway_timeout', endpoint: '/v2/video/query/' }],
  [{ kind: 'server_error' }, { kind: 'bare_error', times: 1 }],
  [{ kind: 'timeout', endpoint: '/v2/video/list/' }],
  [{ kind: 'truncated_json' }],
  [{ kind: 'malformed_json', endpoint: '/v2/user/info/' }],
  [{ kind: 'cursor_loop' }, { kind: 'empty_page', endpoint: '/v2/video/query/' }],
  [{ kind: 'missing_page' }, { kind: 'missing_count', endpoint: '/v2/video/list/' }],
];

/** An SQS event carrying one poll job per account for `slot`. */
function pollJobsEvent(harness: FaultHarness, slot: Date, ids?: readonly string[]): SQSEvent {
  const records = harness.accounts
    .filter((account) => !ids || ids.includes(account.id))
    .map((account) => {
      const job: PollJob = { kind: 'poll-account', slot: slot.toISOString(), account };
      return { messageId: account.id, body: JSON.stringify(job), attributes: {} };
    });
  return { Records: records } as unknown as SQSEvent;
}

describe('a night of faults on the local runtime', () => {
  let harness: FaultHarness;
  let pollWorker: typeof import('../../lambdas/poll-worker/handler.ts');

  beforeAll(async () => {
    harness = await startFaultHarness({
      env: { POLL_CONCURRENCY: '2', POLL_DEADLINE_MARGIN_MS: String(DEADLINE_MARGIN_MS) },
    });
    // The very module instance the local runtime loaded, called directly to give it a short deadline.
    pollWorker = await import('../../lambdas/poll-worker/handler.ts');
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('should record every account in every slot through the fake TikTok’s faults, and report no loss', async () => {
    const slots = SLOTS.slice(0, TIKTOK_FAULTS.length);
    let switched = 0;
    for (const [index, slot] of slots.entries()) {
      harness.services.tiktok.clearFaults();
      for (const spec of TIKTOK_FAULTS[index] ?? []) {
        harness.services.tiktok.setFault(spec);
        switched += 1;
      }
      const run = await pollSlot(harness, slot);
      expect(run.accounts).toBe(harness.accounts.length);
    }
    harness.services.tiktok.clearFaults();
    const audit = await auditPolls(harness, slots);
    ledger.record({
      suite: 'faults',
      name: 'fake TikTok faults during a night (7 slots × 4 accounts)',
      faultsInjected: switched,
      duplicates: audit.duplicates,
      losses: audit.missing + audit.falseLosses,
      details: { ...audit },
    });
    expect(audit).toMatchObject({ missing: 0, duplicates: 0, falseLosses: 0 });
  });

  it('should fail the tick while DynamoDB is stopped, then store the slot whole on the scheduler’s retry', async () => {
    const slot = SLOTS[7] as Date;
    await harness.dynamodb.stop();
    await expect(pollSlot(harness, slot)).rejects.toThrow();
    await harness.dynamodb.start();
    const retry = await pollSlot(harness, slot);
    expect(retry.queue.deadLettered).toBe(0);
    const audit = await auditPolls(harness, SLOTS.slice(0, 8));
    ledger.record({
      suite: 'faults',
      name: 'DynamoDB stopped at a poll tick, restarted on the same port',
      faultsInjected: 1,
      duplicates: audit.duplicates,
      losses: audit.missing + audit.falseLosses,
      details: { ...audit },
    });
    expect(audit).toMatchObject({ missing: 0, duplicates: 0, falseLosses: 0 });
  });

  it('should redeliver the jobs whose writes DynamoDB cut mid-batch, without a duplicate', async () => {
    const slot = SLOTS[8] as Date;
    let requests = 0;
    const before = harness.dynamodb.faulted;
    // After the tick's first read, every other request is cut, eight times in all.
    harness.dynamodb.rule = () =>
      ++requests > 1 && requests % 2 === 0 && harness.dynamodb.faulted - before < 8
        ? 'reset'
        : 'pass';
    const run = await pollSlot(harness, slot);
    harness.dynamodb.rule = undefined;
    expect(run.queue.deadLettered).toBe(0);
    const audit = await auditPolls(harness, SLOTS.slice(0, 9));
    ledger.record({
      suite: 'faults',
      name: 'DynamoDB connections reset mid-batch',
      faultsInjected: harness.dynamodb.faulted - before,
      duplicates: audit.duplicates,
      losses: audit.missing + audit.falseLosses,
      details: { ...audit },
    });
    expect(harness.dynamodb.faulted - before).toBe(8);
    expect(audit).toMatchObject({ missing: 0, duplicates: 0, falseLosses: 0 });
  });

  it('should hand back the jobs a worker could not start before its deadline, and poll them on redelivery', async () => {
    const slot = SLOTS[9] as Date;
    harness.setNow(slot);
    harness.services.tiktok.setFault({ kind: 'slow', delayMs: 600 });
    const startedAt = Date.now();
    // 300 ms left before the margin: two polls start (POLL_CONCURRENCY), the others must not.
    const context = {
      getRemainingTimeInMillis: () => DEADLINE_MARGIN_MS + 300 - (Date.now() - startedAt),
    };
    const first = await pollWorker.pollWorkerHandler(pollJobsEvent(harness, slot), context);
    harness.services.tiktok.clearFaults();
    const handedBack = first.batchItemFailures.map((failure) => failure.itemIdentifier);
    expect(handedBack.length).toBeGreaterThan(0);
    const redelivered = await pollWorker.pollWorkerHandler(
      pollJobsEvent(harness, slot, handedBack),
      { getRemainingTimeInMillis: () => 900_000 },
    );
    expect(redelivered.batchItemFailures).toEqual([]);
    const audit = await auditPolls(harness, SLOTS.slice(0, 10));
    ledger.record({
      suite: 'faults',
      name: 'poll worker reaching its deadline mid-batch',
      faultsInjected: handedBack.length,
      duplicates: audit.duplicates,
      losses: audit.missing + audit.falseLosses,
      details: { ...audit, jobsHandedBack: handedBack.length },
    });
    expect(audit).toMatchObject({ missing: 0, duplicates: 0, falseLosses: 0 });
    // The rest of the nights, without faults, so the digests below have their history.
    for (const later of SLOTS.slice(10)) await pollSlot(harness, later);
    expect(await auditPolls(harness, SLOTS)).toMatchObject({ missing: 0, duplicates: 0 });
  });

  it('should absorb SES throttling within the send and mail each subscriber once', async () => {
    const morning = new Date(AS_OF.getTime() - 2 * DAY_MS);
    const before = await deliveredIds(harness);
    const faultedBefore = harness.ses.faulted;
    harness.ses.rule = () =>
      harness.ses.faulted - faultedBefore < 3
        ? sesError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.')
        : 'pass';
    const run = await harness.functions.sendDigests({
      kind: 'digest',
      scheduledTime: morning.toISOString(),
    });
    harness.ses.rule = undefined;
    const emails = await emailsPerRecipient(harness, before);
    const counts = harness.subscribers.map((s) => emails.get(s.email)?.length ?? 0);
    ledger.record({
      suite: 'faults',
      name: 'SES throttling (HTTP 429) during a digest run',
      faultsInjected: harness.ses.faulted - faultedBefore,
      duplicates: counts.reduce((sum, count) => sum + Math.max(0, count - 1), 0),
      losses: counts.filter((count) => count === 0).length,
      details: { sent: run.sent, losses: run.losses },
    });
    expect(run).toMatchObject({ due: 3, sent: 3, failed: 0, losses: 0 });
    expect(counts).toEqual([1, 1, 1]);
  });

  it('should give throttled digests back to the next tick and never retry one SES rejected', async () => {
    const morning = new Date(AS_OF.getTime() - DAY_MS);
    const [ines, jon, kai] = harness.subscribers as [
      (typeof harness.subscribers)[0],
      (typeof harness.subscribers)[0],
      (typeof harness.subscribers)[0],
    ];
    const before = await deliveredIds(harness);
    const faultedBefore = harness.ses.faulted;
    harness.ses.rule = (request) =>
      request.body.includes(kai.email)
        ? sesError(400, 'MessageRejected', 'Email address is not verified.')
        : sesError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
    const throttled = await harness.functions.sendDigests({
      kind: 'digest',
      scheduledTime: morning.toISOString(),
    });
    harness.ses.rule = undefined;
    expect(throttled).toMatchObject({ due: 3, sent: 0, failed: 3 });
    const next = await harness.functions.sendDigests({
      kind: 'digest',
      scheduledTime: new Date(morning.getTime() + HOUR_MS).toISOString(),
    });
    // The rejected digest is recorded as done, so the next tick no longer counts its subscriber as due.
    expect(next).toMatchObject({ due: 2, sent: 2, alreadySent: 0 });
    const emails = await emailsPerRecipient(harness, before);
    const counts = [ines, jon, kai].map((s) => emails.get(s.email)?.length ?? 0);
    ledger.record({
      suite: 'faults',
      name: 'SES throttling for a whole tick and a permanent rejection',
      faultsInjected: harness.ses.faulted - faultedBefore,
      duplicates: counts.reduce((sum, count) => sum + Math.max(0, count - 1), 0),
      // The rejected address is recorded as rejected on purpose: not a silent loss.
      losses: counts.slice(0, 2).filter((count) => count === 0).length,
      details: { caughtUpNextTick: next.sent, rejectedAndRecorded: 1 },
    });
    expect(counts).toEqual([1, 1, 0]);
  }, 60_000);

  it('should catch up after DynamoDB was down at the delivery hour and a run died between claim and send', async () => {
    const [ines] = harness.subscribers;
    const before = await deliveredIds(harness);
    // A run claimed Ines's digest twenty minutes ago and died before sending: its lease has run out.
    expect(
      await harness.store.claimDigest(ines!.id, '2026-11-24', new Date(Date.now() - 20 * 60_000)),
    ).toBe(true);
    await harness.dynamodb.stop();
    await expect(
      harness.functions.sendDigests({ kind: 'digest', scheduledTime: AS_OF.toISOString() }),
    ).rejects.toThrow();
    await harness.dynamodb.start();
    const caughtUp = await harness.functions.sendDigests({
      kind: 'digest',
      scheduledTime: new Date(AS_OF.getTime() + HOUR_MS).toISOString(),
    });
    const retried = await harness.functions.sendDigests({
      kind: 'digest',
      scheduledTime: new Date(AS_OF.getTime() + 2 * HOUR_MS).toISOString(),
    });
    const emails = await emailsPerRecipient(harness, before);
    const counts = harness.subscribers.map((s) => emails.get(s.email)?.length ?? 0);
    ledger.record({
      suite: 'faults',
      name: 'DynamoDB stopped at the digest tick, and a digest run killed after its claim',
      faultsInjected: 2,
      duplicates: counts.reduce((sum, count) => sum + Math.max(0, count - 1), 0),
      losses: counts.filter((count) => count === 0).length + caughtUp.losses,
      details: { caughtUpNextTick: caughtUp.sent, dueAgainOnRetry: retried.due },
    });
    expect(caughtUp).toMatchObject({ due: 3, sent: 3, losses: 0 });
    // Still within the catch-up hours, but every digest is marked sent: the tick queues nothing.
    expect(retried).toMatchObject({ due: 0, sent: 0, alreadySent: 0 });
    expect(counts).toEqual([1, 1, 1]);
  });
});
