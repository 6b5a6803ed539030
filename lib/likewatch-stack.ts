import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { POLL_MINUTE_INDEX } from '../adapters/dynamodb/keys.ts';
import type { DigestEvent, PollEvent } from '../core/model.ts';
import {
  DIGEST_ACCOUNTS_PER_INVOCATION,
  DIGEST_BATCH_SIZE,
  DIGEST_PART_BATCH_SIZE,
  DIGEST_PART_CONCURRENCY,
  FUNCTION_MEMORY_MB,
  POLL_BATCH_SIZE,
  POLL_BATCHING_WINDOW_SECONDS,
  POLL_TICK_MINUTES,
} from '../deployment/fan-out.ts';
import { RUN_METRICS_ENV } from '../deployment/run-metrics.ts';
import type { StackConfig } from './config.ts';
import { EmailSending } from './constructs/email-sending.ts';
import { JobQueue } from './constructs/job-queue.ts';
import { LikewatchFunction } from './constructs/likewatch-function.ts';
import { Operations } from './constructs/operations.ts';
import { StackSecrets } from './constructs/stack-secrets.ts';
import { SubscriptionApi } from './constructs/subscription-api.ts';
import { TABLE_ACCESS } from './table-access.ts';

/** Repository root: handler entries and the lock file are resolved from here, whatever the cwd. */
const PROJECT_ROOT = join(fileURLToPath(import.meta.url), '..', '..');

/** Properties of {@link LikewatchStack}. */
export interface LikewatchStackProps extends StackProps {
  /** Validated configuration, see `loadStackConfig`. */
  readonly config: StackConfig;
}

/**
 * Everything likewatch runs on: the single table; a poll tick and a digest tick on EventBridge Scheduler
 * schedules (with a shared dead-letter queue) that fan the work out over two SQS queues; the poll and digest
 * workers that consume them in batches (each queue with its own dead-letter queue); a third queue on which
 * the digest tick hands itself the parts of a night too large for one invocation; the SES sender identity;
 * secrets and the credentials key; alarms and a dashboard.
 */
export class LikewatchStack extends Stack {
  /** The single table (see the data model): stats, subscribers, explained nights and sent-digest markers. */
  readonly table: dynamodb.TableV2;
  /** Sends one poll job per watched account and slot to the poll queue. */
  readonly pollTick: LikewatchFunction;
  /** Polls the accounts of a batch of poll jobs. */
  readonly pollWorker: LikewatchFunction;
  /** Runs each hour: explains each due night once, sends one digest job per due subscriber. */
  readonly digestTick: LikewatchFunction;
  /** Plans the parts of a night too large for one digest-tick invocation (the digest part queue's consumer). */
  readonly digestParts: LikewatchFunction;
  /** Emails the digests of a batch of digest jobs. */
  readonly digestWorker: LikewatchFunction;
  /** Poll jobs, and the ones that failed every delivery. */
  readonly pollQueue: JobQueue;
  /** Digest jobs, and the ones that failed every delivery. */
  readonly digestQueue: JobQueue;
  /** Parts of nights too large for one digest-tick invocation, consumed by the digest part planner. */
  readonly digestPartQueue: JobQueue;
  /** Receives schedule deliveries and asynchronous tick invocations that failed every retry. */
  readonly deadLetterQueue: sqs.Queue;
  /** Receives the jobs of every job queue that failed every delivery. */
  readonly jobDeadLetterQueue: sqs.Queue;
  /** The subscription pages (a REST API behind a WAF web ACL) and the SES events function. */
  readonly subscriptions: SubscriptionApi;

  constructor(scope: Construct, id: string, props: LikewatchStackProps) {
    super(scope, id, props);
    const { config } = props;
    const keepData = config.stage !== 'dev';

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      // Storage is most of the table's bill (months of history, read once a night), which is what the
      // infrequent-access class is for: storage 60 % cheaper, requests 25 % dearer (docs/cost.md).
      tableClass: dynamodb.TableClass.STANDARD_INFREQUENT_ACCESS,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      // Account items by poll minute: each minute's poll tick reads only the accounts due in it.
      globalSecondaryIndexes: [
        {
          indexName: POLL_MINUTE_INDEX.name,
          partitionKey: {
            name: POLL_MINUTE_INDEX.partitionKey,
            type: dynamodb.AttributeType.NUMBER,
          },
          sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        },
      ],
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      deletionProtection: keepData,
      removalPolicy: keepData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // The maximum: failed ticks stay inspectable and redrivable over a long weekend.
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    const email = new EmailSending(this, 'Email', { senderDomain: config.senderDomain });

    // The TikTok client secret, the link-signing key and the credentials' master key, in Parameter Store; or,
    // asked for, a customer managed key wraps the credentials' data keys (its id is the one stacks had when it
    // was always there, so an upgraded stack keeps the key its credentials were sealed with).
    const credentialsKey = config.customerKey
      ? new kms.Key(this, 'CredentialsKey', {
          description:
            'Wraps the data keys that encrypt TikTok credentials stored in the likewatch table.',
          enableKeyRotation: true,
          // Without the key, the stored credentials cannot be opened again.
          removalPolicy: keepData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        })
      : undefined;
    const secrets = new StackSecrets(this, 'Secrets', { credentialsKey });

    const functionDefaults = {
      projectRoot: PROJECT_ROOT,
      logRetention: config.retentionDays,
      retainLogs: keepData,
    };
    const entry = (name: string) => join(PROJECT_ROOT, 'lambdas', name, 'handler.ts');

    // Workers: a poll job costs 1 + ceil(videos / 20) TikTok requests at the worker's share of the rate limit,
    // a digest job one SES send at its share of the send rate; docs/scaling.md has the arithmetic.
    const pollWorkerTimeout = Duration.minutes(5);
    const digestWorkerTimeout = Duration.minutes(2);
    const digestTickTimeout = Duration.minutes(15);
    // One dead-letter queue for the job queues (redriven to their sources by SQS); the ticks' failures,
    // which SQS cannot redrive, keep the other.
    this.jobDeadLetterQueue = new sqs.Queue(this, 'JobsDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const jobQueue = (id: string, workerTimeout: Duration) =>
      new JobQueue(this, id, { workerTimeout, deadLetterQueue: this.jobDeadLetterQueue });
    this.pollQueue = jobQueue('PollJobs', pollWorkerTimeout);
    this.digestQueue = jobQueue('DigestJobs', digestWorkerTimeout);
    this.digestPartQueue = jobQueue('DigestParts', digestTickTimeout);

    this.pollTick = new LikewatchFunction(this, 'PollTickFunction', {
      ...functionDefaults,
      entry: entry('poll-tick'),
      description:
        'Poll tick: sends a poll job for each TikTok account due this minute to the poll queue.',
      memorySize: FUNCTION_MEMORY_MB.pollTick,
      // A minute's accounts (about 280 of 100,000 at a 6-hour cadence) are a few index queries and 28
      // SendMessageBatch requests: well under a second.
      timeout: Duration.minutes(1),
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        POLL_EVERY_HOURS: String(config.pollEveryHours),
        POLL_TICK_MINUTES: String(POLL_TICK_MINUTES),
      },
    })
      .bindTable(this.table, TABLE_ACCESS.pollTick)
      .bindQueueSender('POLL_QUEUE_URL', this.pollQueue.queue);

    this.pollWorker = new LikewatchFunction(this, 'PollWorkerFunction', {
      ...functionDefaults,
      entry: entry('poll-worker'),
      description: 'Poll worker: polls the stats of the TikTok accounts of a batch of poll jobs.',
      memorySize: FUNCTION_MEMORY_MB.pollWorker,
      timeout: pollWorkerTimeout,
      environment: {
        ENABLED_SOURCES: config.enabledSources.join(','),
        // This worker's share: all workers together stay under TikTok's per-endpoint limit.
        TIKTOK_RATE_LIMIT_PER_MINUTE: String(config.pollWorkerRequestsPerMinute),
        // The Research API source shares its daily quota between the day's runs.
        POLL_EVERY_HOURS: String(config.pollEveryHours),
        ...(config.tiktokClientKey ? { TIKTOK_CLIENT_KEY: config.tiktokClientKey } : {}),
      },
    })
      .bindTable(this.table, TABLE_ACCESS.pollWorker)
      .consumeQueue(this.pollQueue.queue, {
        batchSize: POLL_BATCH_SIZE,
        batchingWindowSeconds: POLL_BATCHING_WINDOW_SECONDS,
        maxConcurrency: config.pollWorkerConcurrency,
      });

    this.digestTick = new LikewatchFunction(this, 'DigestTickFunction', {
      ...functionDefaults,
      entry: entry('digest-tick'),
      description:
        'Digest tick: explains each due night once and sends one digest job per due subscriber.',
      memorySize: FUNCTION_MEMORY_MB.digestTick,
      timeout: digestTickTimeout,
      deadLetterQueue: this.deadLetterQueue,
      environment: { DIGEST_ACCOUNTS_PER_INVOCATION: String(DIGEST_ACCOUNTS_PER_INVOCATION) },
    })
      // It stores each explained night for the workers.
      .bindTable(this.table, TABLE_ACCESS.digestTick)
      .bindQueueSender('DIGEST_QUEUE_URL', this.digestQueue.queue)
      // A night too large for one invocation goes out as parts, planned by the function below.
      .bindQueueSender('DIGEST_PART_QUEUE_URL', this.digestPartQueue.queue);

    // The tick's work for a share of a night, on the part queue's trigger: it runs under the tick's role and
    // writes to the tick's log, so the two keep one set of grants and one run-summary log.
    this.digestParts = new LikewatchFunction(this, 'DigestPartsFunction', {
      ...functionDefaults,
      entry: entry('digest-parts'),
      description:
        'Digest parts: plans each part of a night too large for one digest-tick invocation.',
      memorySize: FUNCTION_MEMORY_MB.digestTick,
      timeout: digestTickTimeout,
      environment: { DIGEST_ACCOUNTS_PER_INVOCATION: String(DIGEST_ACCOUNTS_PER_INVOCATION) },
      sameWorkAs: this.digestTick,
    })
      .bindTable(this.table, TABLE_ACCESS.digestTick)
      .bindQueueSender('DIGEST_QUEUE_URL', this.digestQueue.queue)
      // A part that still does not fit is split again.
      .bindQueueSender('DIGEST_PART_QUEUE_URL', this.digestPartQueue.queue)
      .consumeQueue(this.digestPartQueue.queue, {
        batchSize: DIGEST_PART_BATCH_SIZE,
        maxConcurrency: DIGEST_PART_CONCURRENCY,
      });

    this.digestWorker = new LikewatchFunction(this, 'DigestWorkerFunction', {
      ...functionDefaults,
      entry: entry('digest-worker'),
      description: 'Digest worker: emails the morning digests of a batch of digest jobs.',
      memorySize: FUNCTION_MEMORY_MB.digestWorker,
      timeout: digestWorkerTimeout,
      environment: {
        SENDER_ADDRESS: config.senderAddress,
        PUBLIC_BASE_URL: config.publicBaseUrl,
        // This worker's share: all workers together stay under the account's SES send rate.
        SES_MAX_SEND_RATE: String(config.digestWorkerSendsPerSecond),
      },
    })
      // The digest records a sent marker per subscriber and night before it sends.
      .bindTable(this.table, TABLE_ACCESS.digestWorker)
      .allowSendEmail(email)
      .consumeQueue(this.digestQueue.queue, {
        batchSize: DIGEST_BATCH_SIZE,
        maxConcurrency: config.digestWorkerConcurrency,
      });
    secrets.grantCredentials(this.pollWorker);
    secrets.grantTikTokClientSecret(this.pollWorker);
    secrets.grantLinkSigning(this.digestWorker);

    this.subscriptions = new SubscriptionApi(this, 'Subscriptions', {
      entry,
      projectRoot: PROJECT_ROOT,
      logRetention: config.retentionDays,
      retainLogs: keepData,
      table: this.table,
      email,
      secrets,
      deadLetterQueue: this.deadLetterQueue,
      senderAddress: config.senderAddress,
      publicBaseUrl: config.publicBaseUrl,
      firewall: config.firewall,
      ...(config.tiktokClientKey ? { tiktokClientKey: config.tiktokClientKey } : {}),
    });

    const scheduleRole = this.scheduleInvokeRole([this.pollTick, this.digestTick]);

    new scheduler.Schedule(this, 'PollSchedule', {
      description: `Every minute: polls the TikTok accounts due, each every ${config.pollEveryHours} hour(s).`,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(POLL_TICK_MINUTES)),
      target: new targets.LambdaInvoke(this.pollTick.function, {
        role: scheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject({
          kind: 'poll',
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        } satisfies PollEvent),
        retryAttempts: 3,
        // Older events go to the dead-letter queue, whose alarm makes the missed run visible.
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });

    new scheduler.Schedule(this, 'DigestSchedule', {
      description:
        'Hourly tick: sends the digests of subscribers whose local delivery hour has come.',
      // Hourly in UTC: each subscriber's delivery hour is in their own time zone, so every hour is someone's.
      schedule: scheduler.ScheduleExpression.expression('cron(0 * * * ? *)'),
      target: new targets.LambdaInvoke(this.digestTick.function, {
        role: scheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject({
          kind: 'digest',
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        } satisfies DigestEvent),
        retryAttempts: 3,
        // Older events go to the dead-letter queue, whose alarm makes the missed run visible.
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });

    // The dashboard graphs every run metric; without it the functions publish only failures (deployment/run-metrics.ts).
    if (config.dashboard) {
      for (const fn of [this.pollTick, this.pollWorker, this.digestTick, this.digestWorker]) {
        fn.function.addEnvironment(RUN_METRICS_ENV, 'all');
      }
    }
    const operations = new Operations(this, 'Operations', {
      pollTick: this.pollTick,
      pollWorker: this.pollWorker,
      digestTick: this.digestTick,
      digestWorker: this.digestWorker,
      scheduleDeadLetterQueue: this.deadLetterQueue,
      jobDeadLetterQueue: this.jobDeadLetterQueue,
      pollQueue: this.pollQueue,
      digestQueue: this.digestQueue,
      digestPartQueue: this.digestPartQueue,
      pollEveryHours: config.pollEveryHours,
      operatorEmail: config.operatorEmail,
      otherFunctions: [this.digestParts, this.subscriptions.pages, this.subscriptions.sesEvents],
      parts: config,
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    for (const [name, fn] of Object.entries({
      PollTickFunctionName: this.pollTick,
      PollWorkerFunctionName: this.pollWorker,
      DigestTickFunctionName: this.digestTick,
      DigestWorkerFunctionName: this.digestWorker,
    })) {
      new CfnOutput(this, name, { value: fn.function.functionName });
    }
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description: 'Schedule deliveries and tick invocations that failed every retry.',
      value: this.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'JobsDeadLetterQueueArn', {
      description:
        'Poll jobs, digest jobs and night parts that failed every delivery (redrive each to its own queue: aws sqs start-message-move-task --source-arn <this>).',
      value: this.jobDeadLetterQueue.queueArn,
    });
    new CfnOutput(this, 'TikTokClientSecretParameter', {
      description:
        'Put the TikTok client secret here: aws ssm put-parameter --type SecureString --name <this> --value <secret>',
      value: secrets.tiktokClientSecretParameter,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: operations.alarmTopic.topicArn });
    if (operations.dashboard) {
      new CfnOutput(this, 'DashboardName', { value: operations.dashboard.dashboardName });
    }
  }

  /**
   * The role EventBridge Scheduler assumes to invoke the functions. `grantInvoke` also allows the functions'
   * versions (`<arn>:*`); that wildcard is acknowledged here, per function, and covers nothing else.
   */
  private scheduleInvokeRole(functions: LikewatchFunction[]): iam.Role {
    const role = new iam.Role(this, 'ScheduleInvokeRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Lets the likewatch schedules invoke the likewatch functions.',
    });
    Validations.of(role).acknowledge(
      ...functions.map((fn) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason:
          'The schedules may invoke this function and its published versions; no other function.',
      })),
    );
    return role;
  }
}
