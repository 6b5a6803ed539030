import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../adapters/aws-clients.ts';
import { createCredentialCipher } from '../../adapters/credential-cipher.ts';
import { DynamoDbStore } from '../../adapters/dynamodb-store.ts';
import { createDemoWorld } from '../../core/simulate/world.ts';
import { localDateAndHour } from '../../core/time.ts';
import { LOCAL_QUEUE_NAMES } from '../../deployment/fan-out.ts';
import { synthesizeBundles } from '../../lib/synthesize-bundles.ts';
import { readDeliveredEmails } from '../../local/local-ses.ts';
import { type LocalServices, startLocalServices } from '../../local/services.ts';

const run = promisify(execFile);

/**
 * Invokes a synthesized bundle's `handler` in a fresh Node process, the way the Lambda runtime would: the
 * bundle alone, with only the AWS SDK resolvable from outside it.
 */
async function invokeBundle(
  bundle: string,
  env: Record<string, string>,
  event: unknown,
): Promise<unknown> {
  const script = `
    const { handler } = await import(${JSON.stringify(`file://${bundle}`)});
    // A fresh invocation of the longest timeout (the digest tick's 15 minutes); less would hand its night on.
    const context = { functionName: 'bundle-test', awsRequestId: 'r1', getRemainingTimeInMillis: () => 900000 };
    const result = await handler(${JSON.stringify(event)}, context);
    process.stdout.write(JSON.stringify(result));`;
  const { stdout } = await run('node', ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return JSON.parse(stdout);
}

describe('the synthesized Lambda bundles', () => {
  let outdir: string;
  let bundles: Record<'pollTick' | 'pollWorker' | 'digestTick' | 'digestWorker', string>;
  let services: LocalServices;
  let store: DynamoDbStore;
  let accountId: string;
  const asOf = new Date('2026-11-24T07:00:00Z');

  beforeAll(async () => {
    // Synthesize with real bundling into a scratch cloud assembly, as the deploy does.
    outdir = mkdtempSync(join(tmpdir(), 'likewatch-bundles-'));
    const synthesized = synthesizeBundles(outdir);
    const bundleOf = (descriptionStart: string) => {
      const bundle = synthesized.find((fn) => fn.description.startsWith(descriptionStart));
      if (!bundle) throw new Error(`no synthesized function described "${descriptionStart}…"`);
      return bundle.path;
    };
    bundles = {
      pollTick: bundleOf('Poll tick'),
      pollWorker: bundleOf('Poll worker'),
      digestTick: bundleOf('Digest tick'),
      digestWorker: bundleOf('Digest worker'),
    };

    const demo = createDemoWorld({
      seed: 3,
      start: new Date(asOf.getTime() - 3 * 86_400_000),
      end: asOf,
    });
    services = await startLocalServices({ world: demo.world, now: () => asOf });
    Object.assign(process.env, services.env);
    store = new DynamoDbStore(createDocumentClient(), {
      tableName: services.env.TABLE_NAME as string,
      credentialCipher: createCredentialCipher(services.env),
    });
    const info = demo.world.accounts[0]!;
    accountId = info.id;
    await store.putAccount({
      platform: 'tiktok',
      id: info.id,
      handle: info.handle,
      source: 'display_api',
      status: 'active',
      addedAt: asOf.toISOString(),
    });
    await store.putCredentials(info.id, { accessToken: services.tiktok.issueToken(info.id) });
    await store.putSubscriber({
      id: 'sub-bundle',
      email: 'bundle@example.com',
      timeZone: 'UTC',
      deliveryHour: localDateAndHour(asOf, 'UTC').hour,
      quietNights: 'all_clear',
      accountIds: [info.id],
    });
  }, 120_000);

  afterAll(async () => {
    await services?.close();
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  /** Delivers what the tick queued to the worker bundle, batch by batch, as the event source mapping does. */
  const drainInto = (queueName: string, worker: string) =>
    services.sqs
      .queue(queueName)
      .drain((event) => invokeBundle(worker, services.env, event) as Promise<SQSBatchResponse>);

  it('should poll through the bundled poll tick, the queue and the bundled poll worker', async () => {
    const tick = await invokeBundle(bundles.pollTick, services.env, {
      kind: 'poll',
      scheduledTime: asOf.toISOString(),
    });
    expect(tick).toEqual({ accounts: 1, enqueued: 1 });

    const drained = await drainInto(LOCAL_QUEUE_NAMES.poll, bundles.pollWorker);

    expect(drained).toEqual({ invocations: 1, deliveries: 1, redelivered: 0, deadLettered: 0 });
    const polls = await store.listPolls(accountId, asOf, asOf);
    expect(polls.map((poll) => poll.status)).toEqual(['ok']);
  });

  it('should send a digest through the bundled digest tick, the queue and the bundled digest worker', async () => {
    const tick = await invokeBundle(bundles.digestTick, services.env, {
      kind: 'digest',
      scheduledTime: asOf.toISOString(),
    });
    expect(tick).toMatchObject({ due: 1, nights: 1, explained: 1, enqueued: 1 });
    // The night is stored once for every worker to read.
    expect(await store.getNightWindow(asOf)).toBeDefined();

    const drained = await drainInto(LOCAL_QUEUE_NAMES.digest, bundles.digestWorker);

    expect(drained).toMatchObject({ deliveries: 1, redelivered: 0, deadLettered: 0 });
    const emails = await readDeliveredEmails(services.sesEndpoint);
    expect(emails.map((email) => email.to)).toEqual([['bundle@example.com']]);
  });

  it('should answer a malformed job with a batch item failure, and dead-letter it after the last delivery', async () => {
    const queue = services.sqs.queue(LOCAL_QUEUE_NAMES.poll);
    queue.enqueue('{"kind":"poll-account"}');

    const drained = await drainInto(LOCAL_QUEUE_NAMES.poll, bundles.pollWorker);

    expect(drained).toMatchObject({ deliveries: 3, redelivered: 2, deadLettered: 1 });
    expect(queue.deadLetters.map((message) => message.body)).toEqual(['{"kind":"poll-account"}']);
  });

  it('should reject a malformed tick event with a clear error', async () => {
    await expect(invokeBundle(bundles.pollTick, services.env, { kind: 'poll' })).rejects.toThrow(
      /scheduledTime/,
    );
  });
});
