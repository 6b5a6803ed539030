import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '../../lib/config.ts';
import { LikewatchStack } from '../../lib/likewatch-stack.ts';
import { appWith, removeScratchApps } from './apps.ts';

afterAll(removeScratchApps);

type Statement = { Action: string | string[]; Resource: unknown };

describe('the subscription pages and SES events in the stack', () => {
  let template: Template;
  let pagesId: string;
  let sesEventsId: string;

  const functionId = (descriptionStart: string) => {
    const [id] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, fn]) =>
      String(fn.Properties.Description).startsWith(descriptionStart),
    ) ?? [''];
    return id;
  };
  const statementsOf = (fnId: string): Statement[] => {
    const role = template.toJSON().Resources[fnId].Properties.Role['Fn::GetAtt'][0];
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((candidate) =>
      JSON.stringify(candidate.Properties.Roles).includes(role),
    );
    return policy?.Properties.PolicyDocument.Statement ?? [];
  };

  beforeAll(() => {
    const app = appWith({ stage: 'prod', tiktokClientKey: 'client-key-1' });
    const config = loadStackConfig(app);
    template = Template.fromStack(new LikewatchStack(app, 'likewatch-prod', { config }));
    pagesId = functionId('Serves the subscription pages');
    sesEventsId = functionId('Records SES bounces');
  });

  it('should serve every path from one function through an HTTP API with payload format 2.0', () => {
    expect(pagesId).not.toBe('');
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [pagesId, 'Arn'] },
    });
  });

  it('should throttle the stage and log requests without their query strings', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('\\$context\\.path'),
      },
    });
    const format = JSON.stringify(template.findResources('AWS::ApiGatewayV2::Stage'));
    expect(format).not.toContain('querystring');
  });

  it('should configure the pages function like the rest: signing key, sealed credentials, TikTok app, sender', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Serves the subscription pages'),
      Environment: {
        Variables: Match.objectLike({
          SENDER_ADDRESS: 'likewatch <digest@example.com>',
          PUBLIC_BASE_URL: 'https://likewatch.example.com',
          TIKTOK_CLIENT_KEY: 'client-key-1',
          LINK_SIGNING_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('^LinkSigningKey') },
          TIKTOK_CLIENT_SECRET_ARN: { Ref: Match.stringLikeRegexp('^TikTokClientSecret') },
          CREDENTIALS_KMS_KEY_ID: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^CredentialsKey'), 'Arn'],
          },
          SES_CONFIGURATION_SET: Match.anyValue(),
        }),
      },
    });
    const actions = statementsOf(pagesId).flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['ses:SendEmail', 'dynamodb:UpdateItem', 'kms:GenerateDataKey']),
    );
    expect(statementsOf(pagesId).map((statement) => statement.Resource)).not.toContainEqual('*');
  });

  it('should feed the SES events topic to the SES events function, which may only use the table (and its DLQ)', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: Match.stringLikeRegexp('^EmailEventsTopic') },
      Endpoint: { 'Fn::GetAtt': [sesEventsId, 'Arn'] },
    });
    const actions = statementsOf(sesEventsId).flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => !/^(dynamodb|logs):/.test(action))).toEqual([
      'sqs:SendMessage',
    ]);
  });

  it('should print the pages’ URL', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs.some((name) => name.startsWith('SubscriptionsUrl'))).toBe(true);
  });
});
