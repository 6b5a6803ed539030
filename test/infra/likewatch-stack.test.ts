import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONAL_PARTS, stackFixedParts } from '../../deployment/fan-out.ts';
import { RUN_METRICS } from '../../deployment/run-metrics.ts';
import { loadStackConfig, StackConfigError } from '../../lib/config.ts';
import { LikewatchStack } from '../../lib/likewatch-stack.ts';
import { appWith, removeScratchApps } from './apps.ts';

afterAll(removeScratchApps);

const synth = (overrides: Record<string, unknown> = {}): Template => {
  const app = appWith(overrides);
  const config = loadStackConfig(app);
  return Template.fromStack(new LikewatchStack(app, `likewatch-${config.stage}`, { config }));
};

/**
 * The fixed parts a template has, as the cost model counts them: alarms are billed per metric they read,
 * the functions publish every run metric only for the dashboard (failures only otherwise, not a fixed cost).
 */
const fixedPartsOf = (template: Template) => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  template.resourceCountIs('AWS::Logs::MetricFilter', 0);
  return {
    customerKeys: Object.keys(template.findResources('AWS::KMS::Key')).length,
    polledQueues: Object.keys(template.findResources('AWS::Lambda::EventSourceMapping')).length,
    alarmMetrics: alarms.reduce(
      (sum, alarm) =>
        sum +
        (alarm.Properties.Metrics
          ? (alarm.Properties.Metrics as Array<{ MetricStat?: unknown }>).filter(
              (metric) => metric.MetricStat,
            ).length
          : 1),
      0,
    ),
    // Functions told to publish every run metric publish all of them, each run; otherwise only failures.
    customMetrics: JSON.stringify(template.findResources('AWS::Lambda::Function')).includes(
      '"RUN_METRICS":"all"',
    )
      ? Object.values(RUN_METRICS).flatMap((fields) => Object.values(fields)).length
      : 0,
    dashboards: Object.keys(template.findResources('AWS::CloudWatch::Dashboard')).length,
    webAcls: Object.keys(template.findResources('AWS::WAFv2::WebACL')).length,
    webAclRules: Object.values(template.findResources('AWS::WAFv2::WebACL')).reduce(
      (sum, acl) => sum + acl.Properties.Rules.length,
      0,
    ),
  };
};

/** The logical id of the only resource of `type` whose id starts with `prefix`. */
const logicalIdOf = (template: Template, type: string, prefix: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

type Statement = {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: Record<string, Record<string, string[]>>;
};

/** Statements of the inline policy attached to the role `rolePrefix` (a function's or the scheduler's). */
const statementsOf = (template: Template, rolePrefix: string): Statement[] => {
  const policyId = logicalIdOf(template, 'AWS::IAM::Policy', `${rolePrefix}DefaultPolicy`);
  return template.toJSON().Resources[policyId].Properties.PolicyDocument.Statement;
};

/**
 * A statement as `{ actions, resources }` (both sorted lists) and, for the table, the partitions it is scoped
 * to by `dynamodb:LeadingKeys`, so policies compare exactly and stably.
 */
const normalized = (statement: Statement) => {
  const partitions = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
  return {
    effect: statement.Effect,
    actions: [statement.Action].flat().sort(),
    resources: [statement.Resource]
      .flat()
      .map((resource) => JSON.stringify(resource))
      .sort(),
    ...(partitions ? { partitions: [...partitions].sort() } : {}),
  };
};
const QUEUE_CONSUME = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];

describe('LikewatchStack', () => {
  let template: Template;
  let ids: Record<
    | 'table'
    | 'pollTick'
    | 'pollWorker'
    | 'digestTick'
    | 'digestParts'
    | 'digestWorker'
    | 'scheduleDlq'
    | 'pollQueue'
    | 'jobDlq'
    | 'digestQueue'
    | 'digestPartQueue'
    | 'identity'
    | 'configurationSet',
    string
  >;
  const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
  /** A SecureString parameter of the prod stack: its name, and its ARN as IAM sees it. */
  const PARAMETERS = '/likewatch/likewatch-prod';
  const parameterArn = (name: string) => ({
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ssm:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:parameter${PARAMETERS}/${name}`,
      ],
    ],
  });

  beforeAll(() => {
    // Arrange, Act: one fully configured prod synth shared by the assertions below.
    template = synth({
      stage: 'prod',
      operatorEmail: 'ops@example.com',
      tiktokClientKey: 'awc1example2key3',
      enabledSources: 'display_api,research_api',
      sesMaxSendRate: '50',
      pollWorkerConcurrency: '4',
      digestWorkerConcurrency: '5',
    });
    const find = (type: string, prefix: string) => logicalIdOf(template, type, prefix);
    ids = {
      table: find('AWS::DynamoDB::GlobalTable', 'Table'),
      pollTick: find('AWS::Lambda::Function', 'PollTickFunction'),
      pollWorker: find('AWS::Lambda::Function', 'PollWorkerFunction'),
      digestTick: find('AWS::Lambda::Function', 'DigestTickFunction'),
      digestParts: find('AWS::Lambda::Function', 'DigestPartsFunction'),
      digestWorker: find('AWS::Lambda::Function', 'DigestWorkerFunction'),
      scheduleDlq: find('AWS::SQS::Queue', 'DeadLetterQueue'),
      pollQueue: find('AWS::SQS::Queue', 'PollJobsQueue'),
      jobDlq: find('AWS::SQS::Queue', 'JobsDeadLetterQueue'),
      digestQueue: find('AWS::SQS::Queue', 'DigestJobsQueue'),
      digestPartQueue: find('AWS::SQS::Queue', 'DigestPartsQueue'),
      identity: find('AWS::SES::EmailIdentity', 'EmailIdentity'),
      configurationSet: find('AWS::SES::ConfigurationSet', 'EmailConfigurationSet'),
    };
  });

  it('should define the single table with pk/sk keys, the poll-minute index, on-demand billing, the infrequent-access class, PITR, TTL and AWS-managed encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'pollMinute', AttributeType: 'N' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byPollMinute',
          KeySchema: [
            { AttributeName: 'pollMinute', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          TableClass: 'STANDARD_INFREQUENT_ACCESS',
        }),
      ],
    });
  });

  it('should retain and deletion-protect the table outside dev', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
      }),
    });
  });

  it('should define the two ticks and two workers on Node.js 24 / arm64 with their own environment', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
    const fn = (id: string) => template.toJSON().Resources[id].Properties;
    const common = { NODE_OPTIONS: '--enable-source-maps', TABLE_NAME: { Ref: ids.table } };

    expect(fn(ids.pollTick).Environment.Variables).toEqual({
      ...common,
      POLL_QUEUE_URL: { Ref: ids.pollQueue },
      // Each minute's tick polls the accounts due in that minute, each every 6 hours.
      POLL_EVERY_HOURS: '6',
      POLL_TICK_MINUTES: '1',
    });
    expect(fn(ids.pollWorker).Environment.Variables).toEqual({
      ...common,
      ENABLED_SOURCES: 'display_api,research_api',
      // 600 requests per minute per endpoint shared by at most 4 workers.
      TIKTOK_RATE_LIMIT_PER_MINUTE: '150',
      POLL_EVERY_HOURS: '6',
      TIKTOK_CLIENT_KEY: 'awc1example2key3',
      CREDENTIALS_KEY_PARAMETER: `${PARAMETERS}/credentials-key`,
      TIKTOK_CLIENT_SECRET_PARAMETER: `${PARAMETERS}/tiktok-client-secret`,
    });
    expect(fn(ids.digestTick).Environment.Variables).toEqual({
      ...common,
      DIGEST_QUEUE_URL: { Ref: ids.digestQueue },
      DIGEST_PART_QUEUE_URL: { Ref: ids.digestPartQueue },
      DIGEST_ACCOUNTS_PER_INVOCATION: '5000',
    });
    expect(fn(ids.digestWorker).Environment.Variables).toEqual({
      ...common,
      SENDER_ADDRESS: 'likewatch <digest@example.com>',
      PUBLIC_BASE_URL: 'https://likewatch.example.com',
      // 50 messages per second shared by at most 5 workers.
      SES_MAX_SEND_RATE: '10',
      LINK_SIGNING_KEY_PARAMETER: `${PARAMETERS}/link-signing-key`,
      SES_CONFIGURATION_SET: { Ref: ids.configurationSet },
    });
    expect([ids.pollTick, ids.pollWorker, ids.digestTick, ids.digestWorker].map(fn)).toEqual([
      expect.objectContaining({ Timeout: 60, MemorySize: 512 }),
      expect.objectContaining({ Timeout: 300, MemorySize: 256 }),
      expect.objectContaining({ Timeout: 900, MemorySize: 2048 }),
      expect.objectContaining({ Timeout: 120, MemorySize: 256 }),
    ]);
  });

  it('should give each function its own log group with the configured retention', () => {
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.allResourcesProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('FunctionLogGroup') } },
    });
  });

  it('should schedule the poll tick every minute and the digest tick every hour', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    const scheduledTime = '<aws.scheduler.scheduled-time>';
    const dlq = { Arn: getAtt(ids.scheduleDlq) };
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({
        Arn: getAtt(ids.pollTick),
        Input: JSON.stringify({ kind: 'poll', scheduledTime }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: dlq,
      }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 * * * ? *)',
      Target: Match.objectLike({
        Arn: getAtt(ids.digestTick),
        Input: JSON.stringify({ kind: 'digest', scheduledTime }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: dlq,
      }),
    });
  });

  it('should send failed tick invocations to the schedule dead-letter queue, and no worker invocation', () => {
    const fn = (id: string) => template.toJSON().Resources[id].Properties;
    expect(fn(ids.pollTick).DeadLetterConfig).toEqual({ TargetArn: getAtt(ids.scheduleDlq) });
    expect(fn(ids.digestTick).DeadLetterConfig).toEqual({ TargetArn: getAtt(ids.scheduleDlq) });
    // Workers are invoked by SQS: their failures go to the job queues' own dead-letter queues.
    expect(fn(ids.pollWorker).DeadLetterConfig).toBeUndefined();
    expect(fn(ids.digestWorker).DeadLetterConfig).toBeUndefined();
  });

  it('should redrive the job queues to one dead-letter queue, with a visibility of six worker timeouts', () => {
    template.resourceCountIs('AWS::SQS::Queue', 5);
    const queue = (id: string) => template.toJSON().Resources[id].Properties;
    expect(queue(ids.pollQueue)).toEqual({
      VisibilityTimeout: 6 * 300,
      MessageRetentionPeriod: 86_400,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: getAtt(ids.jobDlq), maxReceiveCount: 3 },
    });
    expect(queue(ids.digestQueue)).toEqual({
      VisibilityTimeout: 6 * 120,
      MessageRetentionPeriod: 86_400,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: getAtt(ids.jobDlq), maxReceiveCount: 3 },
    });
    // Consumed by the digest tick itself: six of its 15-minute timeouts.
    expect(queue(ids.digestPartQueue)).toEqual({
      VisibilityTimeout: 6 * 900,
      MessageRetentionPeriod: 86_400,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: getAtt(ids.jobDlq), maxReceiveCount: 3 },
    });
    for (const dlq of [ids.scheduleDlq, ids.jobDlq]) {
      expect(queue(dlq)).toEqual({ MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
    }
    // Every queue refuses requests without TLS.
    template.resourceCountIs('AWS::SQS::QueuePolicy', 5);
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
        Version: '2012-10-17',
      },
    });
  });

  it('should feed each worker from its queue in batches, with per-item failures and capped concurrency', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
    const feeds = (queue: string, fn: string, batchSize: number, concurrency: number) =>
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: getAtt(queue),
        FunctionName: { Ref: fn },
        BatchSize: batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: concurrency },
      });
    feeds(ids.pollQueue, ids.pollWorker, 25, 4);
    // More than ten records a batch need a batching window.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(ids.pollQueue),
      MaximumBatchingWindowInSeconds: 10,
    });
    feeds(ids.digestQueue, ids.digestWorker, 10, 5);
    // The parts of a night too large for one invocation, one at a time per invocation.
    feeds(ids.digestPartQueue, ids.digestParts, 1, 2);
  });

  it('should grant each role exactly the actions it needs, on exactly its resources', () => {
    const logs = (fn: string) => ({
      effect: 'Allow',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [
        JSON.stringify(getAtt(logicalIdOf(template, 'AWS::Logs::LogGroup', `${fn}LogGroup`))),
      ],
    });
    const allow = (actions: string[], ...resources: unknown[]) => ({
      effect: 'Allow',
      actions: [...actions].sort(),
      resources: resources.map((resource) => JSON.stringify(resource)).sort(),
    });
    const table = getAtt(ids.table);
    /** `actions` on the table, only where the partition key is one of `partitions`. */
    const onTable = (actions: string[], partitions: string[]) => ({
      ...allow(
        actions.map((action) => `dynamodb:${action}`),
        table,
      ),
      partitions: [...partitions].sort(),
    });
    const sesArn = (kind: string, ref: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ses:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:${kind}/`,
          { Ref: ref },
        ],
      ],
    });
    const expected: Record<string, ReturnType<typeof allow>[]> = {
      PollTickFunctionServiceRole: [
        logs('PollTickFunction'),
        // The schedule dead-letter queue: Lambda's own asynchronous DLQ delivery runs as the function.
        allow(['sqs:SendMessage'], getAtt(ids.scheduleDlq), getAtt(ids.pollQueue)),
        // The one index, and only to query it: no other function reads it, and the tick reads nothing else.
        allow(['dynamodb:Query'], { 'Fn::Join': ['', [table, '/index/byPollMinute']] }),
      ],
      PollWorkerFunctionServiceRole: [
        logs('PollWorkerFunction'),
        // Its accounts' polls, roll-ups, credentials and handles: everything it does there, and only there.
        onTable(
          [
            'GetItem',
            'BatchGetItem',
            'Query',
            'PutItem',
            'BatchWriteItem',
            'UpdateItem',
            'DeleteItem',
          ],
          ['ACCOUNT#*'],
        ),
        onTable(['UpdateItem'], ['ACCOUNTS']),
        onTable(['GetItem', 'UpdateItem'], ['QUOTA#*']),
        allow(QUEUE_CONSUME, getAtt(ids.pollQueue)),
        // The credentials' master key (made on first use) and the TikTok client secret (read only).
        allow(['ssm:GetParameter', 'ssm:PutParameter'], parameterArn('credentials-key')),
        allow(['ssm:GetParameter'], parameterArn('tiktok-client-secret')),
      ],
      DigestTickFunctionServiceRole: [
        logs('DigestTickFunction'),
        allow(
          ['sqs:SendMessage'],
          getAtt(ids.scheduleDlq),
          getAtt(ids.digestQueue),
          getAtt(ids.digestPartQueue),
        ),
        onTable(['Query'], ['SUBSCRIBERS', 'ACCOUNTS', 'ACCOUNT#*']),
        onTable(['GetItem'], ['NIGHTS']),
        onTable(['BatchGetItem'], ['SUBSCRIBER#*', 'ACCOUNT#*']),
        onTable(['PutItem'], ['NIGHTS', 'ACCOUNT#*']),
        allow(QUEUE_CONSUME, getAtt(ids.digestPartQueue)),
      ],
      DigestWorkerFunctionServiceRole: [
        logs('DigestWorkerFunction'),
        onTable(['GetItem'], ['NIGHTS']),
        onTable(['BatchGetItem'], ['ACCOUNT#*', 'SUBSCRIBER#*', 'EMAIL#*']),
        onTable(['Query'], ['ACCOUNT#*']),
        onTable(['PutItem', 'UpdateItem', 'DeleteItem'], ['SUBSCRIBER#*']),
        allow(
          ['ses:SendEmail', 'ses:SendRawEmail'],
          sesArn('configuration-set', ids.configurationSet),
          sesArn('identity', ids.identity),
        ),
        allow(QUEUE_CONSUME, getAtt(ids.digestQueue)),
        allow(['ssm:GetParameter', 'ssm:PutParameter'], parameterArn('link-signing-key')),
      ],
      SubscriptionsPagesFunctionServiceRole: [
        logs('SubscriptionsPagesFunction'),
        // The history page reads an account's polls, the subscriber's digest markers and recent nights.
        onTable(['Query'], ['ACCOUNT#*', 'ACCOUNTS']),
        onTable(['BatchGetItem'], ['ACCOUNT#*', 'SUBSCRIBER#*']),
        onTable(['GetItem'], ['EMAIL#*', 'SUBSCRIBERS', 'SIGNUP#*']),
        onTable(
          ['PutItem'],
          ['EMAIL#*', 'SUBSCRIBERS', 'SIGNUP#*', 'ONCE#*', 'ACCOUNTS', 'ACCOUNT#*'],
        ),
        onTable(['UpdateItem'], ['LIMIT#*', 'SIGNUP#*', 'ACCOUNTS', 'ACCOUNT#*']),
        // Confirmation emails.
        allow(
          ['ses:SendEmail', 'ses:SendRawEmail'],
          sesArn('configuration-set', ids.configurationSet),
          sesArn('identity', ids.identity),
        ),
        // Signing links and form tokens; sealing a newly connected account's tokens; exchanging codes.
        allow(
          ['ssm:GetParameter', 'ssm:PutParameter'],
          parameterArn('credentials-key'),
          parameterArn('link-signing-key'),
        ),
        allow(['ssm:GetParameter'], parameterArn('tiktok-client-secret')),
      ],
      SubscriptionsSesEventsFunctionServiceRole: [
        logs('SubscriptionsSesEventsFunction'),
        allow(['sqs:SendMessage'], getAtt(ids.scheduleDlq)),
        onTable(['GetItem', 'PutItem'], ['EMAIL#*', 'SUBSCRIBERS']),
      ],
      ScheduleInvokeRole: [
        allow(
          ['lambda:InvokeFunction'],
          getAtt(ids.pollTick),
          getAtt(ids.digestTick),
          { 'Fn::Join': ['', [getAtt(ids.pollTick), ':*']] },
          { 'Fn::Join': ['', [getAtt(ids.digestTick), ':*']] },
        ),
        allow(['sqs:SendMessage'], getAtt(ids.scheduleDlq)),
      ],
    };
    for (const [role, statements] of Object.entries(expected)) {
      expect(statementsOf(template, role).map(normalized), role).toEqual(statements);
    }
    // Every role in the stack is one of those above, or API Gateway's own role for writing access logs (one
    // per account and region, trusted by API Gateway alone): a new role must be listed here to pass.
    template.resourceCountIs('AWS::IAM::Role', Object.keys(expected).length + 1);
    const [apiGatewayRole] = Object.entries(template.findResources('AWS::IAM::Role')).filter(
      ([id]) => !Object.keys(expected).some((role) => id.startsWith(role)),
    );
    expect(apiGatewayRole?.[1].Properties).toEqual({
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'apigateway.amazonaws.com' },
          },
        ],
        Version: '2012-10-17',
      },
      ManagedPolicyArns: [
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
            ],
          ],
        },
      ],
    });
    // No other role has a managed policy (such as AWSLambdaBasicExecutionRole, which writes to any log group).
    for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
      if (id !== apiGatewayRole?.[0]) expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('should keep its secrets in Parameter Store, and seal credentials with a retained, rotated customer key only when asked', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    const keyed = synth({ stage: 'prod', customerKey: 'true' });
    keyed.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    keyed.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    const key = logicalIdOf(keyed, 'AWS::KMS::Key', 'CredentialsKey');
    // The id the key had when every stack had it: an upgraded stack keeps the key its credentials were sealed with.
    expect(key).toBe('CredentialsKeyA24B74BF');
    const worker = logicalIdOf(keyed, 'AWS::Lambda::Function', 'PollWorkerFunction');
    const variables = keyed.toJSON().Resources[worker].Properties.Environment.Variables;
    expect(variables.CREDENTIALS_KMS_KEY_ID).toEqual(getAtt(key));
    expect(variables.CREDENTIALS_KEY_PARAMETER).toBeUndefined();
    expect(JSON.stringify(keyed.findResources('AWS::IAM::Policy'))).toContain(
      '"kms:Decrypt","kms:GenerateDataKey"',
    );
  });

  it('should send through a suppressing configuration set as a domain identity', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: ids.configurationSet } },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
  });

  it('should publish bounces and complaints to the SES events topic and print the DNS records to publish', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        SnsDestination: { TopicARN: { Ref: Match.stringLikeRegexp('^EmailEventsTopic') } },
      }),
    });
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs.filter((name) => name.startsWith('EmailDkimRecord'))).toHaveLength(3);
    expect(outputs.some((name) => name.startsWith('EmailSpfRecord'))).toBe(true);
    expect(outputs.some((name) => name.startsWith('EmailDmarcRecord'))).toBe(true);
  });

  it('should page the operator when polls or digests fail, with one alarm reading every way they fail', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual([
      'OperationsWorkFailingAlarm',
    ]);
    const [failing] = Object.values(alarms).map((alarm) => alarm.Properties);
    type MetricStat = {
      Metric: { Namespace: string; MetricName: string; Dimensions?: Array<{ Value: unknown }> };
      Period: number;
    };
    const read = (failing.Metrics as Array<{ MetricStat?: MetricStat }>).flatMap((metric) =>
      metric.MetricStat ? [metric.MetricStat] : [],
    );
    // A queue's metric by its queue, likewatch's own by its name (its one dimension is the service).
    const queueOf = ({ Metric }: MetricStat) =>
      JSON.stringify(
        Metric.Namespace === 'likewatch'
          ? `${Metric.MetricName} of ${Metric.Dimensions?.[0]?.Value}`
          : Metric.Dimensions?.[0]?.Value,
      );
    // A tick or a job in a dead-letter queue, a quarter of an hour's polls failed, or SES refused a digest.
    expect(read.map(queueOf)).toEqual([
      JSON.stringify(getAtt(ids.scheduleDlq, 'QueueName')),
      JSON.stringify(getAtt(ids.jobDlq, 'QueueName')),
      JSON.stringify('PollFailed of likewatch'),
      JSON.stringify(getAtt(ids.pollQueue, 'QueueName')),
      JSON.stringify('DigestFailed of likewatch'),
    ]);
    expect(JSON.stringify(failing.Metrics)).toMatch(/FILL\(polls, 0\) >= 0.25 \* FILL\(done, 0\)/);
    expect(failing).toMatchObject({ Threshold: 1, EvaluationPeriods: 1 });
    expect(read.every((metric) => metric.Period === 3600)).toBe(true);
    // Every alarm pages the operator topic.
    const topic = logicalIdOf(template, 'AWS::SNS::Topic', 'OperationsAlarmTopic');
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
    }
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    // The cost model prices what the stack has: no dashboard, and only the metrics the alarms read.
    expect(fixedPartsOf(template)).toEqual(stackFixedParts(DEFAULT_OPTIONAL_PARTS));
  });

  it('should add the detailed alarms, the dashboard and the firewall when their flags ask, as priced', () => {
    const full = synth({
      stage: 'prod',
      operatorEmail: 'ops@example.com',
      dashboard: true,
      detailedAlarms: 'true',
      firewall: true,
    });
    expect(fixedPartsOf(full)).toEqual(
      stackFixedParts({
        dashboard: true,
        detailedAlarms: true,
        firewall: true,
        customerKey: false,
      }),
    );
    const descriptions = Object.values(full.findResources('AWS::CloudWatch::Alarm')).map((alarm) =>
      String(alarm.Properties.AlarmDescription),
    );
    for (const expected of [
      /Polls or digests are failing/,
      /scheduled tick failed every retry/,
      /Poll jobs, digest jobs or night parts failed every delivery/,
      /PollTickFunction threw/,
      /PollWorkerFunction threw/,
      /DigestTickFunction threw/,
      /DigestWorkerFunction threw/,
      /PagesFunction threw/,
      /SesEventsFunction threw/,
      /waited longer than the poll cadence/,
      /bounce rate reached 4%/,
      /complaint rate reached 0.08%/,
    ]) {
      expect(
        descriptions.some((description) => expected.test(description)),
        String(expected),
      ).toBe(true);
    }
    full.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 6 * 3600,
    });
    full.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('bounce rate'),
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.04,
    });
    full.hasOutput('DashboardName', Match.anyValue());
    // The dashboard's functions publish every run metric, the dashboard graphs them.
    const dashboard = JSON.stringify(full.findResources('AWS::CloudWatch::Dashboard'));
    for (const name of [
      'PollJobsEnqueued',
      'PollAccounts',
      'PollFailed',
      'DigestSent',
      'DigestFailed',
    ]) {
      expect(dashboard).toContain(`\\"${name}\\"`);
    }
  });

  it('should output what the deploy guide refers to', () => {
    template.hasOutput('TableName', { Value: { Ref: ids.table } });
    for (const [output, id] of [
      ['PollTickFunctionName', ids.pollTick],
      ['PollWorkerFunctionName', ids.pollWorker],
      ['DigestTickFunctionName', ids.digestTick],
      ['DigestWorkerFunctionName', ids.digestWorker],
    ] as const) {
      template.hasOutput(output, { Value: { Ref: id } });
    }
    template.hasOutput('TikTokClientSecretParameter', {
      Value: `${PARAMETERS}/tiktok-client-secret`,
    });
    template.hasOutput('JobsDeadLetterQueueArn', { Value: getAtt(ids.jobDlq) });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: ids.scheduleDlq } });
    template.hasOutput('AlarmTopicArn', Match.anyValue());
    expect(template.findOutputs('DashboardName')).toEqual({});
  });

  it('should let a dev stack be destroyed with its data, and default to the Display API only', () => {
    // Arrange, Act
    const dev = synth({ stage: 'dev' });

    // Assert
    dev.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
      }),
    });
    // No operator email in dev: nothing subscribes to the alarm topic.
    const alarmTopic = logicalIdOf(dev, 'AWS::SNS::Topic', 'OperationsAlarmTopic');
    expect(
      Object.values(dev.findResources('AWS::SNS::Subscription')).filter(
        (subscription) => subscription.Properties.TopicArn?.Ref === alarmTopic,
      ),
    ).toEqual([]);
    dev.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ENABLED_SOURCES: 'display_api',
          TIKTOK_RATE_LIMIT_PER_MINUTE: '300',
          TIKTOK_CLIENT_KEY: Match.absent(),
        }),
      },
    });
    dev.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SES_MAX_SEND_RATE: '7' }) },
    });
  });
});

describe('loadStackConfig', () => {
  it('should read cdk.json defaults and derive the sender domain', () => {
    const config = loadStackConfig(appWith());

    expect(config).toMatchObject({
      stage: 'dev',
      senderEmail: 'digest@example.com',
      senderDomain: 'example.com',
      pollEveryHours: 6,
      retentionDays: 90,
      operatorEmail: undefined,
      enabledSources: ['display_api'],
      sesMaxSendRate: 14,
      tiktokRateLimitPerMinute: 600,
      pollWorkerConcurrency: 2,
      digestWorkerConcurrency: 2,
      pollWorkerRequestsPerMinute: 300,
      digestWorkerSendsPerSecond: 7,
    });
  });

  it('should accept numbers given as -c strings', () => {
    const config = loadStackConfig(
      appWith({
        pollEveryHours: '1',
        retentionDays: '30',
        operatorEmail: '',
        enabledSources: 'display_api, web',
        sesMaxSendRate: '1.5',
      }),
    );

    expect(config).toMatchObject({
      pollEveryHours: 1,
      retentionDays: 30,
      operatorEmail: undefined,
      enabledSources: ['display_api', 'web'],
      sesMaxSendRate: 1.5,
    });
  });

  it.each([
    ['pollEveryHours', { pollEveryHours: 0 }],
    ['pollEveryHours', { pollEveryHours: 25 }],
    ['senderAddress', { senderAddress: undefined }],
    ['senderAddress', { senderAddress: 'likewatch <not-an-address>' }],
    ['stage', { stage: 'qa' }],
    ['publicBaseUrl', { publicBaseUrl: 'likewatch.example.com' }],
    ['retentionDays', { retentionDays: 42 }],
    ['operatorEmail', { operatorEmail: 'ops' }],
    ['enabledSources', { enabledSources: 'display_api,scraper' }],
    ['tiktokClientKey', { enabledSources: 'research_api' }],
    ['sesMaxSendRate', { sesMaxSendRate: '0' }],
    ['tiktokRateLimitPerMinute', { tiktokRateLimitPerMinute: 'lots' }],
    ['pollWorkerConcurrency', { pollWorkerConcurrency: '1' }],
    ['pollWorkerConcurrency', { tiktokRateLimitPerMinute: '3', pollWorkerConcurrency: '4' }],
    ['digestWorkerConcurrency', { digestWorkerConcurrency: '5000' }],
  ])('should reject an invalid %s and name the -c key to set', (key, overrides) => {
    const app = appWith(overrides);

    expect(() => loadStackConfig(app)).toThrow(StackConfigError);
    expect(() => loadStackConfig(app)).toThrow(`-c ${key}=`);
  });
});
