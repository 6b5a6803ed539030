/**
 * The Queue port on Amazon SQS: jobs are JSON message bodies, sent with SendMessageBatch ten at a time (the
 * API's limit), a few requests in flight. Entries SQS could not take for a passing reason are sent again;
 * anything still refused fails the send, so the tick fails and is retried (a job sent twice is harmless).
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Queue } from '../core/ports.ts';

/** Entries per SendMessageBatch request (SQS's limit). */
export const SQS_BATCH_SIZE = 10;

/** Options of {@link SqsQueue}. */
export interface SqsQueueOptions {
  queueUrl: string;
  /** @default a client from the environment (`AWS_ENDPOINT_URL_SQS` points it at a local queue) */
  client?: SQSClient;
  /** SendMessageBatch requests in flight. @default 10 */
  concurrency?: number;
  /** Sends of entries SQS refused for a passing reason. @default 3 */
  attempts?: number;
}

/** Sends jobs to one SQS queue. */
export class SqsQueue<Job> implements Queue<Job> {
  private readonly client: SQSClient;

  constructor(private readonly options: SqsQueueOptions) {
    this.client = options.client ?? new SQSClient({});
  }

  async send(jobs: readonly Job[]): Promise<void> {
    const batches: SendMessageBatchRequestEntry[][] = [];
    for (let start = 0; start < jobs.length; start += SQS_BATCH_SIZE) {
      batches.push(
        jobs.slice(start, start + SQS_BATCH_SIZE).map((job, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(job),
        })),
      );
    }
    let next = 0;
    const sender = async () => {
      while (next < batches.length) await this.sendBatch(batches[next++] ?? []);
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 10 }, sender));
  }

  private async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const result = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: pending }),
      );
      const failed = result.Failed ?? [];
      if (failed.length === 0) return;
      const permanent = failed.find((entry) => entry.SenderFault);
      if (permanent || attempt >= attempts) {
        const first = permanent ?? failed[0];
        throw new Error(
          `SQS refused ${failed.length} of ${pending.length} jobs: ${first?.Code} ${first?.Message ?? ''}`.trim(),
        );
      }
      const retry = new Set(failed.map((entry) => entry.Id));
      pending = pending.filter((entry) => retry.has(entry.Id));
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
