/**
 * The embedded SQS: an in-process queue service on a loopback port that takes `SendMessageBatch` (and
 * `SendMessage`) over the AWS JSON protocol, so the ticks send jobs through the very SqsQueue adapter they use
 * in AWS (`AWS_ENDPOINT_URL_SQS` points the SDK here). `drain` then plays the Lambda event source mapping:
 * it hands the jobs to a worker handler as `SQSEvent` batches, delivers again what the worker reports in
 * `batchItemFailures` (or the whole batch when it throws), and moves a message that failed `maxReceiveCount`
 * deliveries to the queue's dead letters.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** The account id in local queue URLs and ARNs. */
const LOCAL_ACCOUNT = '000000000000';

/** A message held by a local queue. */
export interface LocalMessage {
  messageId: string;
  body: string;
  sentAt: number;
  /** Deliveries so far. */
  receiveCount: number;
}

/** How a local queue delivers to its worker, as the stack's event source mapping does in AWS. */
export interface LocalQueueOptions {
  /** Records per worker invocation (the event source's `batchSize`). */
  batchSize: number;
  /** Deliveries before a message goes to the dead letters (the redrive policy's `maxReceiveCount`). */
  maxReceiveCount: number;
  /** Worker invocations at once (the event source's maximum concurrency). @default 1 */
  concurrency?: number;
}

/** What one `drain` did. */
export interface DrainSummary {
  invocations: number;
  deliveries: number;
  /** Messages delivered again after a failure. */
  redelivered: number;
  /** Messages moved to the dead letters. */
  deadLettered: number;
}

/** A worker as the event source calls it. */
export type QueueWorker = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

/** One queue of the embedded SQS. */
export class LocalQueue {
  readonly url: string;
  readonly arn: string;
  /** Messages that failed every delivery, as the dead-letter queue would hold them. */
  readonly deadLetters: LocalMessage[] = [];
  private pending: LocalMessage[] = [];

  constructor(
    readonly name: string,
    endpoint: string,
    private readonly options: LocalQueueOptions,
  ) {
    this.url = `${endpoint}/${LOCAL_ACCOUNT}/${name}`;
    this.arn = `arn:aws:sqs:us-east-1:${LOCAL_ACCOUNT}:${name}`;
  }

  /** Messages waiting for delivery. */
  get depth(): number {
    return this.pending.length;
  }

  /** Adds a message; returns its id. */
  enqueue(body: string): string {
    const messageId = randomUUID();
    this.pending.push({ messageId, body, sentAt: Date.now(), receiveCount: 0 });
    return messageId;
  }

  /**
   * Delivers every waiting message (and every redelivery) to `worker`, a batch per invocation and up to
   * `concurrency` invocations at once, until none is left.
   */
  async drain(worker: QueueWorker): Promise<DrainSummary> {
    const summary: DrainSummary = {
      invocations: 0,
      deliveries: 0,
      redelivered: 0,
      deadLettered: 0,
    };
    const invoker = async (): Promise<void> => {
      while (this.pending.length > 0) await this.deliverBatch(worker, summary);
    };
    // A redelivery can arrive after an invoker found the queue empty: go on until nothing is left.
    while (this.pending.length > 0) {
      await Promise.all(Array.from({ length: this.options.concurrency ?? 1 }, invoker));
    }
    return summary;
  }

  private async deliverBatch(worker: QueueWorker, summary: DrainSummary): Promise<void> {
    const batch = this.pending.splice(0, this.options.batchSize);
    for (const message of batch) message.receiveCount += 1;
    summary.invocations += 1;
    summary.deliveries += batch.length;
    let failed: Set<string>;
    try {
      const response = await worker({ Records: batch.map((message) => this.record(message)) });
      failed = new Set(
        (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier),
      );
    } catch {
      // A worker that throws fails the whole batch, as with Lambda.
      failed = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      if (!failed.has(message.messageId)) continue;
      if (message.receiveCount >= this.options.maxReceiveCount) {
        this.deadLetters.push(message);
        summary.deadLettered += 1;
      } else {
        this.pending.push(message);
        summary.redelivered += 1;
      }
    }
  }

  private record(message: LocalMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: LOCAL_ACCOUNT,
        ApproximateFirstReceiveTimestamp: String(message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: md5(message.body),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: 'us-east-1',
    };
  }
}

/** The running embedded SQS. */
export interface LocalSqs {
  endpoint: string;
  /** The queue named `name` (created by `startLocalSqs`). */
  queue(name: string): LocalQueue;
  close(): Promise<void>;
}

/** Starts the embedded SQS on a free loopback port with the given queues. */
export async function startLocalSqs(queues: Record<string, LocalQueueOptions>): Promise<LocalSqs> {
  const byUrlPath = new Map<string, LocalQueue>();
  const server = createServer((request, response) => {
    handle(request, response, byUrlPath).catch((error: unknown) =>
      reply(response, 500, { __type: 'InternalError', message: String(error) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const byName = new Map<string, LocalQueue>();
  for (const [name, options] of Object.entries(queues)) {
    const queue = new LocalQueue(name, endpoint, options);
    byName.set(name, queue);
    byUrlPath.set(new URL(queue.url).pathname, queue);
  }
  return {
    endpoint,
    queue: (name) => {
      const queue = byName.get(name);
      if (!queue) throw new Error(`no local queue named ${name}`);
      return queue;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface BatchEntry {
  Id: string;
  MessageBody: string;
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  queues: Map<string, LocalQueue>,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
    QueueUrl?: string;
    MessageBody?: string;
    Entries?: BatchEntry[];
  };
  const target = String(request.headers['x-amz-target'] ?? '');
  const queue = input.QueueUrl ? queues.get(new URL(input.QueueUrl).pathname) : undefined;
  if (!queue) {
    reply(response, 400, {
      __type: 'com.amazonaws.sqs#QueueDoesNotExist',
      message: `The specified queue does not exist: ${input.QueueUrl}`,
    });
    return;
  }
  if (target === 'AmazonSQS.SendMessage' && input.MessageBody !== undefined) {
    const messageId = queue.enqueue(input.MessageBody);
    reply(response, 200, { MessageId: messageId, MD5OfMessageBody: md5(input.MessageBody) });
    return;
  }
  if (target === 'AmazonSQS.SendMessageBatch' && input.Entries) {
    if (input.Entries.length > 10) {
      reply(response, 400, {
        __type: 'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
        message: 'Maximum number of entries per request are 10.',
      });
      return;
    }
    reply(response, 200, {
      Successful: input.Entries.map((entry) => ({
        Id: entry.Id,
        MessageId: queue.enqueue(entry.MessageBody),
        MD5OfMessageBody: md5(entry.MessageBody),
      })),
      Failed: [],
    });
    return;
  }
  reply(response, 400, {
    __type: 'com.amazonaws.sqs#UnsupportedOperation',
    message: `the embedded SQS does not support ${target || 'this request'}`,
  });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(JSON.stringify(body));
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
