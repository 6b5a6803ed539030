/**
 * A night too large for one digest-tick invocation, on the local runtime: the tick sends it out as parts on
 * the part queue, the tick function plans each part, and the workers mail every due subscriber exactly once,
 * however often the parts and the tick run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../core/time.ts';
import {
  AS_OF,
  createLedger,
  emailsPerRecipient,
  type FaultHarness,
  startPolledHarness,
} from './harness.ts';

const ledger = createLedger('split-night');

describe('a night split into parts on the local runtime', () => {
  let harness: FaultHarness;

  beforeAll(async () => {
    // The three subscribers follow four accounts; two accounts an invocation makes two parts.
    harness = await startPolledHarness({ env: { DIGEST_ACCOUNTS_PER_INVOCATION: '2' } });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('should plan the parts through the part queue and mail each subscriber once', async () => {
    // Act
    const run = await harness.functions.sendDigests({
      kind: 'digest',
      scheduledTime: AS_OF.toISOString(),
    });
    // Assert
    expect(run.partQueue).toMatchObject({ invocations: 2, deliveries: 2, deadLettered: 0 });
    expect(run).toMatchObject({ due: 3, sent: 3, failed: 0 });
    const emails = await emailsPerRecipient(harness);
    expect(harness.subscribers.map((s) => emails.get(s.email)?.length ?? 0)).toEqual([1, 1, 1]);
    // Every followed account's part of the night is stored, whichever invocation explained it.
    const stored = await harness.store.getNightAccounts(
      AS_OF,
      harness.accounts.map((account) => account.id),
    );
    expect(stored.map((part) => part.account.id).sort()).toEqual(
      harness.accounts.map((account) => account.id).sort(),
    );
    const sent = harness.subscribers.map((s) => emails.get(s.email)?.length ?? 0);
    ledger.record({
      suite: 'faults',
      name: 'a night too large for one tick, split into parts on the part queue',
      duplicates: sent.reduce((sum, count) => sum + Math.max(0, count - 1), 0),
      losses: sent.filter((count) => count === 0).length,
      details: { parts: run.partQueue.invocations, due: run.due, sent: run.sent },
    });
  });

  it('should send nothing more when the next tick of the catch-up window comes', async () => {
    const before = await emailsPerRecipient(harness);
    const run = await harness.functions.sendDigests({
      kind: 'digest',
      scheduledTime: new Date(AS_OF.getTime() + HOUR_MS).toISOString(),
    });
    const after = await emailsPerRecipient(harness);
    expect(run).toMatchObject({ due: 0, sent: 0 });
    expect(run.partQueue.invocations).toBe(0);
    expect([...after.values()].flat()).toHaveLength([...before.values()].flat().length);
  });
});
