/**
 * A work queue redriven to the jobs' dead-letter queue: jobs a worker reported failed `MAX_RECEIVE_COUNT` times
 * are moved there, kept 14 days and redriven by hand once the cause is fixed. The job queues share one
 * dead-letter queue, so one alarm metric watches them all; a redrive sends each job back to its own queue.
 */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_RECEIVE_COUNT } from '../../deployment/fan-out.ts';

/** Properties of {@link JobQueue}. */
export interface JobQueueProps {
  /** The timeout of the function that consumes the queue. */
  readonly workerTimeout: Duration;
  /** Where jobs that failed every delivery go (shared by the job queues). */
  readonly deadLetterQueue: sqs.IQueue;
}

/** A TLS-only, encrypted SQS queue of jobs, redriven to the jobs' dead-letter queue. */
export class JobQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: JobQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      // AWS's advice for Lambda event sources: at least six times the function timeout, so a batch being
      // retried by Lambda (throttles, a slow start) is not delivered a second time meanwhile.
      visibilityTimeout: Duration.seconds(props.workerTimeout.toSeconds() * 6),
      // A job older than a day is for a slot or a morning long gone.
      retentionPeriod: Duration.days(1),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: props.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
}
