import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { batchResponse, parseJobBatch } from '../../../lambdas/_shared/sqs-batch.ts';

const Job = z.object({ kind: z.literal('job'), id: z.string() });

function event(...bodies: string[]) {
  return {
    Records: bodies.map((body, index) => ({ messageId: `m-${index}`, body, attributes: {} })),
  };
}

describe('SQS job batches', () => {
  it('should hand back the malformed messages and the failed jobs, and only those', async () => {
    // Arrange
    const batch = parseJobBatch(
      event(
        JSON.stringify({ kind: 'job', id: 'a' }),
        'not json',
        JSON.stringify({ kind: 'job', id: 'b' }),
        JSON.stringify({ kind: 'other' }),
        JSON.stringify({ kind: 'job', id: 'c' }),
      ),
      Job,
    );
    // Act
    const response = await batchResponse(batch, [
      { done: true },
      { done: false, error: new Error('throttled') },
      { done: false, error: 'not an Error' },
    ]);
    // Assert
    expect(batch.jobs.map((job) => job.id)).toEqual(['a', 'b', 'c']);
    expect(batch.malformed).toEqual(['m-1', 'm-3']);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'm-1',
      'm-2',
      'm-3',
      'm-4',
    ]);
  });

  it('should name every message when the whole batch failed, rather than fail the invocation', async () => {
    const batch = parseJobBatch(event('{}', JSON.stringify({ kind: 'job', id: 'a' })), Job);
    const response = await batchResponse(batch, [{ done: false, error: new Error('down') }]);
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm-0' },
      { itemIdentifier: 'm-1' },
    ]);
  });

  it('should answer a batch that went through with no failures', async () => {
    const batch = parseJobBatch(event(JSON.stringify({ kind: 'job', id: 'a' })), Job);
    expect(await batchResponse(batch, [{ done: true }])).toEqual({ batchItemFailures: [] });
  });
});
