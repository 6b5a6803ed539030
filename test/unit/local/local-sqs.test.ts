import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalSqs, startLocalSqs } from '../../../local/local-sqs.ts';

let sqs: LocalSqs | undefined;
afterEach(async () => {
  await sqs?.close();
  sqs = undefined;
});

describe('embedded SQS event source', () => {
  it('should run up to `concurrency` invocations at once, redeliver failures and dead-letter after the last try', async () => {
    // Arrange
    sqs = await startLocalSqs({ jobs: { batchSize: 3, maxReceiveCount: 2, concurrency: 2 } });
    const queue = sqs.queue('jobs');
    for (let index = 0; index < 10; index++) queue.enqueue(`job-${index}`);
    let running = 0;
    let mostAtOnce = 0;
    const seen: string[] = [];
    // Act: every delivery of job-4 fails; the others succeed.
    const summary = await queue.drain(async (event: SQSEvent): Promise<SQSBatchResponse> => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      seen.push(...event.Records.map((record) => record.body));
      return {
        batchItemFailures: event.Records.filter((record) => record.body === 'job-4').map(
          (record) => ({ itemIdentifier: record.messageId }),
        ),
      };
    });
    // Assert
    expect(mostAtOnce).toBe(2);
    expect(seen.filter((body) => body === 'job-4')).toHaveLength(2);
    expect(new Set(seen)).toEqual(
      new Set(Array.from({ length: 10 }, (_, index) => `job-${index}`)),
    );
    expect(summary).toMatchObject({ deliveries: 11, redelivered: 1, deadLettered: 1 });
    expect(queue.deadLetters.map((message) => message.body)).toEqual(['job-4']);
    expect(queue.depth).toBe(0);
  });
});
