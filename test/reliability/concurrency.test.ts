/**
 * Races on the local runtime: twenty digest runs (tick and workers each) for the same morning at once, and
 * twenty deliveries of the same poll job at once. Exactly one email per subscriber, exactly one whole poll
 * per account and slot.
 */
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollJob } from '../../core/model.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import {
  AS_OF,
  auditPolls,
  createLedger,
  emailsPerRecipient,
  type FaultHarness,
  POLL_EVERY_HOURS,
  pollSlot,
  pollSlots,
  startFaultHarness,
} from './harness.ts';

const RUNS = 20;
/** How long a TikTok request may take here before it counts as a timeout. */
const GENEROUS_TIMEOUT_MS = 60_000;
const SLOTS = pollSlots(new Date(AS_OF.getTime() - 2 * DAY_MS), AS_OF);
const ledger = createLedger('concurrency');

describe('concurrent runs on the local runtime', () => {
  let harness: FaultHarness;

  beforeAll(async () => {
    // A TikTok request gives up only after a generous wait: on a machine whose cores are busy elsewhere, twenty
    // workers at once answer slowly, and this suite is about races, not about how fast they answer.
    harness = await startFaultHarness({ env: { TIKTOK_TIMEOUT_MS: String(GENEROUS_TIMEOUT_MS) } });
    for (const slot of SLOTS.slice(0, -1)) await pollSlot(harness, slot);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('should store one whole poll when the same poll job is delivered twenty times at once', async () => {
    const slot = SLOTS[SLOTS.length - 1] as Date;
    harness.setNow(slot);
    const { pollWorkerHandler } = await import('../../lambdas/poll-worker/handler.ts');
    const account = harness.accounts[1]!;
    const job: PollJob = { kind: 'poll-account', slot: slot.toISOString(), account };
    const event = (copy: number) =>
      ({
        Records: [{ messageId: `copy-${copy}`, body: JSON.stringify(job), attributes: {} }],
      }) as unknown as SQSEvent;
    const responses = await Promise.all(
      Array.from({ length: RUNS }, (_, copy) => pollWorkerHandler(event(copy))),
    );
    expect(responses.flatMap((response) => response.batchItemFailures)).toEqual([]);
    // The other accounts' polls of the slot, through the ordinary tick.
    const others = harness.accounts.filter((other) => other.id !== account.id);
    await pollSlot(harness, slot);
    const stored = await harness.store.listPolls(account.id, slot, slot);
    const observed = harness.world.observe(account.id, slot);
    const audit = await auditPolls(harness, SLOTS);
    ledger.record({
      suite: 'concurrency',
      name: `${RUNS} concurrent deliveries of one poll job`,
      duplicates: audit.duplicates,
      losses: audit.missing + audit.falseLosses,
      details: { ...audit, otherAccounts: others.length },
    });
    expect(stored).toHaveLength(1);
    const poll = stored[0]!;
    // Whole, not torn: the stored poll lists exactly the videos TikTok showed.
    expect(poll.status === 'failed' ? [] : poll.videos.map((video) => video.id).sort()).toEqual(
      observed.videos.map((video) => video.id).sort(),
    );
    expect(audit).toMatchObject({ missing: 0, duplicates: 0, falseLosses: 0 });
  });

  it('should heal a failed poll with a later delivery of its job, and never let a late failure shadow a good poll', async () => {
    // A slot after the morning's, polled by nothing else.
    const slot = new Date(AS_OF.getTime() + POLL_EVERY_HOURS * HOUR_MS);
    harness.setNow(slot);
    const { pollWorkerHandler } = await import('../../lambdas/poll-worker/handler.ts');
    const [healed, kept] = [harness.accounts[2]!, harness.accounts[3]!];
    const deliver = (account: typeof healed, copy: string) =>
      pollWorkerHandler({
        Records: [
          {
            messageId: copy,
            body: JSON.stringify({ kind: 'poll-account', slot: slot.toISOString(), account }),
            attributes: {},
          },
        ],
      } as unknown as SQSEvent);
    const statusOf = async (account: typeof healed) =>
      (await harness.store.listPolls(account.id, slot, slot)).map((poll) => poll.status);
    // A delivery that TikTok fails, then one that goes through: the second replaces the failure.
    harness.services.tiktok.setFault({ kind: 'server_error', accountId: healed.id });
    await deliver(healed, 'healed-1');
    expect(await statusOf(healed)).toEqual(['failed']);
    harness.services.tiktok.clearFaults();
    await deliver(healed, 'healed-2');
    expect(await statusOf(healed)).toEqual(['ok']);
    // A delivery that goes through, then a late one that TikTok fails: the good poll stays.
    await deliver(kept, 'kept-1');
    harness.services.tiktok.setFault({ kind: 'server_error', accountId: kept.id });
    await deliver(kept, 'kept-2');
    harness.services.tiktok.clearFaults();
    expect(await statusOf(kept)).toEqual(['ok']);
    ledger.record({
      suite: 'concurrency',
      name: 'a failed poll healed by a redelivery, a good poll kept under a late failure',
      faultsInjected: 2,
      duplicates: 0,
      losses: 0,
      details: { healed: 1, kept: 1 },
    });
  });

  it('should send exactly one email per subscriber when twenty digest runs race for the same morning', async () => {
    const runs = await Promise.all(
      Array.from({ length: RUNS }, () =>
        harness.functions.sendDigests({ kind: 'digest', scheduledTime: AS_OF.toISOString() }),
      ),
    );
    const emails = await emailsPerRecipient(harness);
    const counts = harness.subscribers.map((s) => emails.get(s.email)?.length ?? 0);
    ledger.record({
      suite: 'concurrency',
      name: `${RUNS} concurrent digest runs (tick and workers) for one morning`,
      duplicates: counts.reduce((sum, count) => sum + Math.max(0, count - 1), 0),
      losses: counts.filter((count) => count === 0).length,
      details: { runs: RUNS, jobs: runs.reduce((sum, run) => sum + run.due, 0) },
    });
    expect(counts).toEqual([1, 1, 1]);
    // Each run counts the batches its own workers ran, so the runs' reports add up to what reached SES.
    expect(runs.reduce((sum, run) => sum + run.sent, 0)).toBe(3);
    expect(runs.reduce((sum, run) => sum + run.failed, 0)).toBe(0);
  });
});
