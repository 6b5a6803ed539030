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

  it('should serve every path from one function through a regional REST API proxy integration, at the site stage', () => {
    expect(pagesId).not.toBe('');
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'], IpAddressType: 'ipv4' },
    });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((method) => method.Properties.HttpMethod).sort()).toEqual([
      'ANY',
      'ANY',
      'ANY',
      'POST',
    ]);
    for (const method of methods) {
      expect(method.Properties.Integration).toMatchObject({
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
      });
      expect(JSON.stringify(method.Properties.Integration.Uri)).toContain(pagesId);
    }
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'unsubscribe' });
  });

  it('should throttle the pages, give one-click unsubscribes a throttle of their own, and log requests without their query strings', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'site',
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          ResourcePath: '/*',
          HttpMethod: '*',
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
        }),
        Match.objectLike({
          ResourcePath: '/~1unsubscribe',
          HttpMethod: 'POST',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ]),
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('\\$context\\.resourcePath'),
      },
    });
    const format = JSON.stringify(template.findResources('AWS::ApiGateway::Stage'));
    expect(format).not.toMatch(/querystring|\$context\.path/i);
  });

  it('should put no web ACL in front of the pages unless the firewall flag asks for one', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    // Without WAF the stage and the one-click method keep their own throttles.
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: 'POST', ThrottlingRateLimit: 50 }),
      ]),
    });
  });

  it('should put a web ACL with per-client rate limits in front of the stage, one-click unsubscribes counted apart', () => {
    const app = appWith({ stage: 'prod', tiktokClientKey: 'client-key-1', firewall: 'true' });
    const config = loadStackConfig(app);
    const template = Template.fromStack(new LikewatchStack(app, 'likewatch-prod', { config }));
    const acls = Object.values(template.findResources('AWS::WAFv2::WebACL'));
    expect(acls).toHaveLength(1);
    const acl = acls[0]!.Properties;
    expect(acl).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    const rules = acl.Rules as Array<{
      Name: string;
      Action: unknown;
      Statement: { RateBasedStatement: Record<string, unknown> & { ScopeDownStatement: unknown } };
    }>;
    expect(
      rules.map((rule) => [
        rule.Name,
        rule.Statement.RateBasedStatement.AggregateKeyType,
        rule.Statement.RateBasedStatement.Limit,
      ]),
    ).toEqual([
      ['one-click-unsubscribes-per-client', 'IP', 2000],
      ['pages-per-client', 'IP', 300],
    ]);
    for (const rule of rules) {
      expect(rule.Action).toEqual({
        Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'too-many' } },
      });
      expect(rule.Statement.RateBasedStatement.EvaluationWindowSec).toBe(300);
    }
    // The pages' rule counts everything but what the one-click rule counts.
    expect(rules[1]!.Statement.RateBasedStatement.ScopeDownStatement).toEqual({
      NotStatement: { Statement: rules[0]!.Statement.RateBasedStatement.ScopeDownStatement },
    });
    expect(JSON.stringify(rules[0]!.Statement.RateBasedStatement.ScopeDownStatement)).toMatch(
      /"SearchString":"POST".*"SearchString":"\/unsubscribe"/,
    );
    const [association] = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'));
    expect(JSON.stringify(association?.Properties.ResourceArn)).toContain('/stages/');
    expect(JSON.stringify(association?.Properties.WebACLArn)).toContain('Firewall');
  });

  it('should configure the pages function like the rest: signing key, sealed credentials, TikTok app, sender', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Serves the subscription pages'),
      Environment: {
        Variables: Match.objectLike({
          SENDER_ADDRESS: 'likewatch <digest@example.com>',
          PUBLIC_BASE_URL: 'https://likewatch.example.com',
          TIKTOK_CLIENT_KEY: 'client-key-1',
          LINK_SIGNING_KEY_PARAMETER: Match.stringLikeRegexp('^/likewatch/.+/link-signing-key$'),
          TIKTOK_CLIENT_SECRET_PARAMETER: Match.stringLikeRegexp(
            '^/likewatch/.+/tiktok-client-secret$',
          ),
          CREDENTIALS_KEY_PARAMETER: Match.stringLikeRegexp('^/likewatch/.+/credentials-key$'),
          SES_CONFIGURATION_SET: Match.anyValue(),
        }),
      },
    });
    const actions = statementsOf(pagesId).flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['ses:SendEmail', 'dynamodb:UpdateItem', 'ssm:PutParameter']),
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
