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
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { DigestEvent, PollEvent } from '../core/model.ts';
import type { StackConfig } from './config.ts';
import { EmailSending } from './constructs/email-sending.ts';
import { LikewatchFunction } from './constructs/likewatch-function.ts';
import { Operations } from './constructs/operations.ts';

/** Repository root: handler entries and the lock file are resolved from here, whatever the cwd. */
const PROJECT_ROOT = join(fileURLToPath(import.meta.url), '..', '..');

/** Properties of {@link LikewatchStack}. */
export interface LikewatchStackProps extends StackProps {
  /** Validated configuration, see `loadStackConfig`. */
  readonly config: StackConfig;
}

/**
 * Everything likewatch runs on: the single table, the poll and digest functions, their EventBridge Scheduler
 * schedules with a shared dead-letter queue, the SES sender identity and failure alarms.
 */
export class LikewatchStack extends Stack {
  /** The single table (see the data model): stats, subscribers and sent-digest markers. */
  readonly table: dynamodb.TableV2;
  /** Polls every watched account's stats. */
  readonly pollStats: LikewatchFunction;
  /** Runs each hour and emails the subscribers whose local delivery hour it is. */
  readonly sendDigests: LikewatchFunction;
  /** Receives schedule deliveries and asynchronous invocations that failed every retry. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: LikewatchStackProps) {
    super(scope, id, props);
    const { config } = props;
    const keepData = config.stage !== 'dev';

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      deletionProtection: keepData,
      removalPolicy: keepData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // The maximum: failed polls and digests stay inspectable and redrivable over a long weekend.
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    const email = new EmailSending(this, 'Email', { senderDomain: config.senderDomain });

    // Wraps the data keys that seal creators' TikTok tokens in the table (envelope encryption).
    const credentialsKey = new kms.Key(this, 'CredentialsKey', {
      description:
        'Wraps the data keys that encrypt TikTok credentials stored in the likewatch table.',
      enableKeyRotation: true,
      // Without the key, the stored credentials cannot be opened again.
      removalPolicy: keepData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // The TikTok app's client secret (refreshing creators' tokens; the Research API's client token). CDK puts
    // a random placeholder in it: the operator replaces it with the real secret after the first deploy.
    const tiktokClientSecret = new secretsmanager.Secret(this, 'TikTokClientSecret', {
      description:
        "The TikTok app's client secret (developer portal). Replace the generated value with the real one.",
      removalPolicy: keepData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(tiktokClientSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'TikTok issues the client secret; it is rotated in the TikTok developer portal and then stored here by hand.',
    });

    const linkSigningKey = new secretsmanager.Secret(this, 'LinkSigningKey', {
      description: 'Signs the links in digest emails (unsubscribe, preferences).',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // A new key would invalidate every link in emails already sent.
      removalPolicy: keepData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(linkSigningKey).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Rotating the link-signing key would break every unsubscribe and preference link in emails already sent; rotate it by hand when it may have leaked.',
    });

    const functionDefaults = {
      projectRoot: PROJECT_ROOT,
      logRetention: config.retentionDays,
      retainLogs: keepData,
      deadLetterQueue: this.deadLetterQueue,
    };

    this.pollStats = new LikewatchFunction(this, 'PollStatsFunction', {
      ...functionDefaults,
      entry: join(PROJECT_ROOT, 'lambdas', 'poll-stats', 'handler.ts'),
      description: 'Polls the stats of every watched TikTok account.',
      memorySize: 512,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: config.pollReservedConcurrency,
      environment: {
        // The Research API source shares its daily quota between the day's runs.
        POLL_EVERY_HOURS: String(config.pollEveryHours),
        ...(config.tiktokClientKey ? { TIKTOK_CLIENT_KEY: config.tiktokClientKey } : {}),
      },
    })
      .bindTable(this.table, 'readWrite')
      .bindDataKey('CREDENTIALS_KMS_KEY_ID', credentialsKey)
      .bindSecret('TIKTOK_CLIENT_SECRET_ARN', tiktokClientSecret);

    this.sendDigests = new LikewatchFunction(this, 'SendDigestsFunction', {
      ...functionDefaults,
      entry: join(PROJECT_ROOT, 'lambdas', 'send-digests', 'handler.ts'),
      description: 'Emails the morning digest to the subscribers due this hour.',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: {
        SENDER_ADDRESS: config.senderAddress,
        PUBLIC_BASE_URL: config.publicBaseUrl,
      },
    })
      // Read-write: the digest records a sent marker per subscriber and night before it sends.
      .bindTable(this.table, 'readWrite')
      .bindSecret('LINK_SIGNING_KEY_SECRET_ARN', linkSigningKey)
      .allowSendEmail(email);

    const scheduleRole = this.scheduleInvokeRole([this.pollStats, this.sendDigests]);

    new scheduler.Schedule(this, 'PollSchedule', {
      description: `Polls TikTok stats every ${config.pollEveryHours} hour(s).`,
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(config.pollEveryHours)),
      target: new targets.LambdaInvoke(this.pollStats.function, {
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
      target: new targets.LambdaInvoke(this.sendDigests.function, {
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

    new Operations(this, 'Operations', {
      pollStats: this.pollStats,
      sendDigests: this.sendDigests,
      deadLetterQueue: this.deadLetterQueue,
      pollEveryHours: config.pollEveryHours,
      operatorEmail: config.operatorEmail,
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'PollStatsFunctionName', { value: this.pollStats.function.functionName });
    new CfnOutput(this, 'SendDigestsFunctionName', {
      value: this.sendDigests.function.functionName,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
  }

  /** Alarms on every failure path that would otherwise be silent: function errors and dead letters. */
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
