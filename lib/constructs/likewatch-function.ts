import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TableAccess } from '../table-access.ts';
import type { EmailSending } from './email-sending.ts';

/**
 * Defines `require` in the ESM bundle: some dependencies are CommonJS and call `require` for Node built-ins,
 * which esbuild cannot rewrite into imports. The alias avoids clashing with a bundled `createRequire`.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __likewatchCreateRequire } from 'node:module'; const require = __likewatchCreateRequire(import.meta.url);";

/** Properties of {@link LikewatchFunction}. */
export interface LikewatchFunctionProps {
  /** Absolute path of the handler module (`lambdas/<function>/handler.ts`); it must export `handler`. */
  readonly entry: string;
  /** Directory holding `package-lock.json`; esbuild resolves dependencies from here. */
  readonly projectRoot: string;
  /** Log retention of the function's own log group. */
  readonly logRetention: logs.RetentionDays;
  /** Whether the log group outlives the stack (true outside throwaway stages). */
  readonly retainLogs: boolean;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default - no reservation; the function shares the account's unreserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Receives events that still fail after Lambda's own asynchronous retries (scheduled functions; a queue
   * worker's failures go to its queue's dead-letter queue instead).
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /** Extra environment variables; table and SES settings come from {@link LikewatchFunction.bindTable} etc. */
  readonly environment?: Record<string, string>;
  /** @default - none */
  readonly description?: string;
  /**
   * Another function doing the same work on another trigger (the digest tick and its part planner): this one
   * runs under its role and writes to its log group, so the two have one set of grants and one log.
   * @default - a role and a log group of its own
   */
  readonly sameWorkAs?: LikewatchFunction;
}

/**
 * A Node.js Lambda with likewatch's defaults: latest Node.js runtime on ARM, a minified ESM bundle built by
 * the local esbuild with source maps, the runtime's AWS SDK, and an explicit log group with retention.
 * Access to other resources is added through methods that set the environment variable and the grant together.
 */
export class LikewatchFunction extends Construct implements iam.IGrantable {
  /** The underlying function (for schedule targets, metrics and outputs). */
  readonly function: NodejsFunction;
  /** The function's log group. */
  readonly logGroup: logs.LogGroup;
  /** The principal that grants are given to. */
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: LikewatchFunctionProps) {
    super(scope, id);

    const { role, logGroup } = props.sameWorkAs
      ? { role: props.sameWorkAs.role, logGroup: props.sameWorkAs.logGroup }
      : this.ownRoleAndLogs(id, props);
    this.logGroup = logGroup;

    // 'Default' keeps the function's logical id short: `<Id>…` instead of `<Id>Function…`.
    this.function = new NodejsFunction(this, 'Default', {
      role,
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      deadLetterQueue: props.deadLetterQueue,
      description: props.description,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        // Prefer the ESM build of dual packages so esbuild can tree-shake them.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // The runtime ships AWS SDK v3; bundling our own copy would only add cold-start weight.
        externalModules: ['@aws-sdk/*'],
        forceDockerBundling: false,
      },
    });
    this.grantPrincipal = this.function.grantPrincipal;
  }

  /** The function's role. */
  get role(): iam.IRole {
    return this.function.role as iam.IRole;
  }

  /**
   * An own role that may write to this function's log group only, instead of the AWS managed
   * AWSLambdaBasicExecutionRole, which allows writing to any log group in the account.
   */
  private ownRoleAndLogs(
    id: string,
    props: LikewatchFunctionProps,
  ): { role: iam.IRole; logGroup: logs.LogGroup } {
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${id}`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    return { role, logGroup };
  }

  /**
   * Sets `TABLE_NAME` and grants exactly `access`: each grant's actions on the table, only on items whose
   * partition key matches its patterns (`dynamodb:LeadingKeys`), and queries of the named indexes (the index
   * is keyed by a number, so no leading-key pattern applies to it).
   */
  bindTable(table: dynamodb.ITableV2, access: TableAccess): this {
    this.function.addEnvironment('TABLE_NAME', table.tableName);
    for (const grant of access.grants) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: grant.actions.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...grant.partitions] },
          },
        }),
      );
    }
    if (access.indexes && access.indexes.length > 0) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: access.indexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
    return this;
  }

  /** Sets `envName` to the ARN of `key` and allows making and opening data keys with it (nothing else). */
  bindDataKey(envName: string, key: kms.IKey): this {
    this.function.addEnvironment(envName, key.keyArn);
    key.grant(this.function, 'kms:GenerateDataKey', 'kms:Decrypt');
    return this;
  }

  /** Sets `envName` to the URL of `queue` and allows sending messages to it (SendMessage and its batch form). */
  bindQueueSender(envName: string, queue: sqs.IQueue): this {
    this.function.addEnvironment(envName, queue.queueUrl);
    queue.grant(this.function, 'sqs:SendMessage');
    return this;
  }

  /**
   * Makes this function the worker of `queue`: batches of `batchSize` records (gathered for up to
   * `batchingWindowSeconds`, which SQS needs for more than ten), failed records reported one by one
   * (`batchItemFailures`), and at most `maxConcurrency` invocations at once (which is what shares the TikTok and
   * SES rate limits between workers). Grants receiving and deleting the queue's messages.
   */
  consumeQueue(
    queue: sqs.IQueue,
    options: { batchSize: number; maxConcurrency: number; batchingWindowSeconds?: number },
  ): this {
    this.function.addEventSource(
      new SqsEventSource(queue, {
        batchSize: options.batchSize,
        maxConcurrency: options.maxConcurrency,
        reportBatchItemFailures: true,
        ...(options.batchingWindowSeconds !== undefined && {
          maxBatchingWindow: Duration.seconds(options.batchingWindowSeconds),
        }),
      }),
    );
    return this;
  }

  /**
   * Sets `SES_CONFIGURATION_SET` and allows sending as the sender identity through that configuration set
   * only (not as any identity in the account).
   */
  allowSendEmail(email: EmailSending): this {
    this.function.addEnvironment(
      'SES_CONFIGURATION_SET',
      email.configurationSet.configurationSetName,
    );
    email.grantSend(this.function);
    return this;
  }
}
