import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, StackConfigError } from '../../lib/config.ts';
import { LikewatchStack } from '../../lib/likewatch-stack.ts';

/** cdk.json's context: the same feature flags and defaults `cdk synth` uses. */
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

/** An App over cdk.json's context plus `overrides`, with asset bundling skipped to keep synth fast. */
const appWith = (overrides: Record<string, unknown> = {}): App =>
  new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...overrides } });

const synth = (overrides: Record<string, unknown> = {}): Template => {
  const app = appWith(overrides);
  const config = loadStackConfig(app);
  return Template.fromStack(new LikewatchStack(app, `likewatch-${config.stage}`, { config }));
};

/** The logical id of the only resource of `type` whose id starts with `prefix`. */
const logicalIdOf = (template: Template, type: string, prefix: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

type Statement = { Action: string | string[]; Resource: unknown };

/** Statements of the inline policy attached to the role of the function `functionPrefix`. */
const statementsOf = (template: Template, functionPrefix: string): Statement[] => {
  const policyId = logicalIdOf(
    template,
    'AWS::IAM::Policy',
    `${functionPrefix}ServiceRoleDefaultPolicy`,
  );
  return template.toJSON().Resources[policyId].Properties.PolicyDocument.Statement;
};

const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

describe('LikewatchStack', () => {
  let template: Template;
  let tableId: string;

  beforeAll(() => {
    // Arrange, Act: one prod synth shared by the assertions below.
    template = synth({ stage: 'prod', operatorEmail: 'ops@example.com' });
    tableId = logicalIdOf(template, 'AWS::DynamoDB::GlobalTable', 'Table');
  });

  it('should define the single table with pk/sk keys, on-demand billing, PITR, TTL and AWS-managed encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
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

  it('should define both functions on Node.js 24 / arm64 with their environment', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          TABLE_NAME: { Ref: tableId },
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: Match.absent(),
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          TABLE_NAME: { Ref: tableId },
          SENDER_ADDRESS: 'likewatch <digest@example.com>',
          PUBLIC_BASE_URL: 'https://likewatch.example.com',
          LINK_SIGNING_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('^LinkSigningKey') },
        },
      },
    });
  });

  it('should give each function its own log group with the configured retention', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.allResourcesProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('FunctionLogGroup') } },
    });
  });

  it('should schedule the poll at the configured rate and the digest every hour, with kind and scheduledTime', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    const pollFn = logicalIdOf(template, 'AWS::Lambda::Function', 'PollStatsFunction');
    const digestFn = logicalIdOf(template, 'AWS::Lambda::Function', 'SendDigestsFunction');
    const scheduledTime = '<aws.scheduler.scheduled-time>';

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [pollFn, 'Arn'] },
        Input: JSON.stringify({ kind: 'poll', scheduledTime }),
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
      }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 * * * ? *)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [digestFn, 'Arn'] },
        Input: JSON.stringify({ kind: 'digest', scheduledTime }),
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
      }),
    });
  });

  it('should send failed schedule deliveries and async invocations to one TLS-only dead-letter queue', () => {
    template.resourceCountIs('AWS::SQS::Queue', 1);
    const dlq = logicalIdOf(template, 'AWS::SQS::Queue', 'DeadLetterQueue');
    const dlqArn = { 'Fn::GetAtt': [dlq, 'Arn'] };

    template.allResourcesProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ DeadLetterConfig: { Arn: dlqArn } }),
    });
    template.allResourcesProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: dlqArn },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
  });

  it('should let the poll function use DynamoDB on the table only, and send no email', () => {
    const statements = statementsOf(template, 'PollStatsFunction');
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));

    expect(dynamo).toHaveLength(1);
    expect(dynamo[0]!.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    expect(actionsOf(dynamo[0]!)).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']),
    );
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('ses:'))).toEqual([]);
    expect(statements.map((s) => s.Resource)).not.toContainEqual('*');
  });

  it('should seal credentials with a rotated KMS key that only the poll function can use', () => {
    const keyId = logicalIdOf(template, 'AWS::KMS::Key', 'CredentialsKey');
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ CREDENTIALS_KMS_KEY_ID: { 'Fn::GetAtt': [keyId, 'Arn'] } }),
      },
    });
    const usesKey = (functionPrefix: string) =>
      statementsOf(template, functionPrefix).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('kms:')),
      );
    expect(usesKey('PollStatsFunction')).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      }),
    ]);
    expect(usesKey('SendDigestsFunction')).toEqual([]);
  });

  it('should let the digest function send only as the sender identity, through the configuration set', () => {
    const identityId = logicalIdOf(template, 'AWS::SES::EmailIdentity', 'EmailIdentity');
    const configurationSetId = logicalIdOf(
      template,
      'AWS::SES::ConfigurationSet',
      'EmailConfigurationSet',
    );
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configurationSetId } },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });

    const ses = statementsOf(template, 'SendDigestsFunction').filter((s) =>
      actionsOf(s).some((a) => a.startsWith('ses:')),
    );

    expect(ses).toHaveLength(1);
    expect(actionsOf(ses[0]!).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    const resources = JSON.stringify(ses[0]!.Resource);
    expect(resources).not.toContain('"*"');
    expect(resources).toContain(':identity/');
    expect(resources).toContain(`"Ref":"${identityId}"`);
    expect(resources).toContain(':configuration-set/');
    expect(resources).toContain(`"Ref":"${configurationSetId}"`);
    expect(
      statementsOf(template, 'PollStatsFunction').filter((s) =>
        actionsOf(s).some((a) => a.startsWith('ses:')),
      ),
    ).toHaveLength(0);
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

  it('should let only the digest function read the generated link-signing key', () => {
    const secretId = logicalIdOf(template, 'AWS::SecretsManager::Secret', 'LinkSigningKey');
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
      }),
    });
    const readsSecret = (s: Statement) =>
      actionsOf(s).includes('secretsmanager:GetSecretValue') &&
      JSON.stringify(s.Resource) === JSON.stringify({ Ref: secretId });

    expect(statementsOf(template, 'SendDigestsFunction').filter(readsSecret)).toHaveLength(1);
    expect(statementsOf(template, 'PollStatsFunction').filter(readsSecret)).toHaveLength(0);
  });

  it('should let only the poll function read the TikTok client secret, with the client key from context', () => {
    const secretId = logicalIdOf(template, 'AWS::SecretsManager::Secret', 'TikTokClientSecret');
    const readsSecret = (s: Statement) =>
      actionsOf(s).includes('secretsmanager:GetSecretValue') &&
      JSON.stringify(s.Resource) === JSON.stringify({ Ref: secretId });

    expect(statementsOf(template, 'PollStatsFunction').filter(readsSecret)).toHaveLength(1);
    expect(statementsOf(template, 'SendDigestsFunction').filter(readsSecret)).toHaveLength(0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TIKTOK_CLIENT_SECRET_ARN: { Ref: secretId },
          POLL_EVERY_HOURS: '6',
        }),
      },
    });
    const withKey = synth({ stage: 'dev', tiktokClientKey: 'awc1example2key3' });
    withKey.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ TIKTOK_CLIENT_KEY: 'awc1example2key3' }),
      },
    });
  });

  it('should alarm the operator on errors, dead letters, poll failures, send errors and SES reputation', () => {
    const descriptions = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => String(alarm.Properties.AlarmDescription),
    );
    expect(descriptions).toHaveLength(7);
    for (const expected of [
      /dead-letter queue/,
      /PollStatsFunction threw/,
      /SendDigestsFunction threw/,
      /polls failed/,
      /Digests failed to send/,
      /bounce rate reached 4%/,
      /complaint rate reached 0.08%/,
    ]) {
      expect(
        descriptions.some((description) => expected.test(description)),
        String(expected),
      ).toBe(true);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('bounce rate'),
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.04,
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.message = "poll run finished" }',
      MetricTransformations: [
        Match.objectLike({ MetricName: 'PollFailed', MetricValue: '$.failed' }),
      ],
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('should output the table and function names', () => {
    template.hasOutput('TableName', { Value: { Ref: tableId } });
    template.hasOutput('PollStatsFunctionName', { Value: { Ref: Match.anyValue() } });
    template.hasOutput('SendDigestsFunctionName', { Value: { Ref: Match.anyValue() } });
  });

  it('should let a dev table be destroyed with its stack', () => {
    // Arrange, Act
    const dev = synth({ stage: 'dev' });

    // Assert
    dev.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
      }),
    });
    dev.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('should reserve poller concurrency only when configured', () => {
    // Arrange, Act
    const reserved = synth({ pollReservedConcurrency: '1' });

    // Assert
    reserved.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Polls'),
      ReservedConcurrentExecutions: 1,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Polls'),
      ReservedConcurrentExecutions: Match.absent(),
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
    });
  });

  it('should accept numbers given as -c strings', () => {
    const config = loadStackConfig(
      appWith({ pollEveryHours: '1', retentionDays: '30', operatorEmail: '' }),
    );

    expect(config).toMatchObject({
      pollEveryHours: 1,
      retentionDays: 30,
      operatorEmail: undefined,
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
    ['pollReservedConcurrency', { pollReservedConcurrency: 'lots' }],
  ])('should reject an invalid %s and name the -c key to set', (key, overrides) => {
    const app = appWith(overrides);

    expect(() => loadStackConfig(app)).toThrow(StackConfigError);
    expect(() => loadStackConfig(app)).toThrow(`-c ${key}=`);
  });
});
