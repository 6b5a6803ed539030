/**
 * The subscription side of likewatch: the pages (sign-up, confirmation, preferences, unsubscribe, TikTok
 * connect, feedback) served by one function behind an API Gateway REST API with a WAF web ACL in front, and
 * the function that turns SES bounce and complaint events from the events topic into suppressions.
 *
 * Why a REST API with WAF rather than an HTTP API with a stage throttle: a stage throttle is shared by every
 * client, so one client could use it up and block everyone's RFC 8058 one-click unsubscribes. WAF's rate-based
 * rules count per client address, but WAF attaches to REST APIs and not to HTTP APIs, and a REST API also
 * gives the one-click `POST /unsubscribe` a throttle of its own. Costs and figures: docs/SECURITY.md.
 */
import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { TABLE_ACCESS } from '../table-access.ts';
import type { EmailSending } from './email-sending.ts';
import { LikewatchFunction } from './likewatch-function.ts';
import type { StackSecrets } from './stack-secrets.ts';

/** The stage the pages are served under (`https://<api>.execute-api.<region>.amazonaws.com/site/`). */
export const SITE_STAGE = 'site';

/**
 * Requests one client address may make to the pages in {@link PER_CLIENT_WINDOW_SECONDS}: a person filling in
 * the forms makes a few dozen; beyond this WAF answers 429 to that address alone until it slows down.
 */
export const PAGES_PER_CLIENT = 300;

/**
 * One-click unsubscribes one client address may post in {@link PER_CLIENT_WINDOW_SECONDS}. Mail providers post
 * them from a few shared servers, so the limit is higher than for people, and counted apart from the pages.
 */
export const ONE_CLICK_PER_CLIENT = 2_000;

/** The window WAF's rate-based rules count in. */
export const PER_CLIENT_WINDOW_SECONDS = 300;

/** Steady requests per second across the pages (every method but the one-click one). */
export const PAGES_RATE_LIMIT = 100;
/** Burst above the steady rate. */
export const PAGES_BURST_LIMIT = 200;
/** The one-click unsubscribe method's own throttle, which no other page draws on. */
export const ONE_CLICK_RATE_LIMIT = 50;
export const ONE_CLICK_BURST_LIMIT = 100;

/** Properties of {@link SubscriptionApi}. */
export interface SubscriptionApiProps {
  /** Resolves a function's handler entry (`lambdas/<name>/handler.ts`). */
  readonly entry: (name: string) => string;
  readonly projectRoot: string;
  readonly logRetention: logs.RetentionDays;
  readonly retainLogs: boolean;
  readonly table: dynamodb.ITableV2;
  readonly email: EmailSending;
  /** The parameters (or key) holding the link-signing key, the credentials' key and the TikTok secret. */
  readonly secrets: StackSecrets;
  /** Receives SES events whose processing failed every retry. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly senderAddress: string;
  readonly publicBaseUrl: string;
  readonly tiktokClientKey?: string;
  /** Puts the WAF web ACL (per-client rate limits) in front of the pages. */
  readonly firewall: boolean;
}

/** The pages' REST API behind its web ACL, and the SES events function. */
export class SubscriptionApi extends Construct {
  readonly api: apigateway.RestApi;
  /** The web ACL, when the `firewall` flag asks for one. */
  readonly firewall: wafv2.CfnWebACL | undefined;
  readonly pages: LikewatchFunction;
  readonly sesEvents: LikewatchFunction;

  constructor(scope: Construct, id: string, props: SubscriptionApiProps) {
    super(scope, id);
    const defaults = {
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    };

    this.pages = new LikewatchFunction(this, 'PagesFunction', {
      ...defaults,
      entry: props.entry('http-api'),
      description: 'Serves the subscription pages: sign-up, confirmation, preferences, connect.',
      memorySize: 512,
      // A person is waiting: the slowest path is one TikTok token exchange and one user info call.
      timeout: Duration.seconds(29),
      environment: {
        SENDER_ADDRESS: props.senderAddress,
        PUBLIC_BASE_URL: props.publicBaseUrl,
        ...(props.tiktokClientKey ? { TIKTOK_CLIENT_KEY: props.tiktokClientKey } : {}),
      },
    })
      // Sign-up requests, subscribers, abuse counters, used OAuth states, connected accounts, feedback.
      .bindTable(props.table, TABLE_ACCESS.pages)
      .allowSendEmail(props.email);
    props.secrets.grantLinkSigning(this.pages);
    // Seals the tokens of a connected account, as the poll worker does.
    props.secrets.grantCredentials(this.pages);
    props.secrets.grantTikTokClientSecret(this.pages);

    this.api = this.restApi(props);
    this.firewall = props.firewall ? this.webAcl() : undefined;
    if (this.firewall) {
      new wafv2.CfnWebACLAssociation(this, 'FirewallAssociation', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: this.firewall.attrArn,
      });
    }

    this.sesEvents = new LikewatchFunction(this, 'SesEventsFunction', {
      ...defaults,
      entry: props.entry('ses-events'),
      description:
        'Records SES bounces and complaints: suppresses the address, unsubscribes complaints.',
      memorySize: 256,
      timeout: Duration.seconds(30),
      deadLetterQueue: props.deadLetterQueue,
    }).bindTable(props.table, TABLE_ACCESS.sesEvents);
    props.email.eventsTopic.addSubscription(
      new subscriptions.LambdaSubscription(this.sesEvents.function),
    );

    new CfnOutput(this, 'Url', {
      description:
        'The subscription pages (set publicBaseUrl to this, or to a custom domain in front of it).',
      value: this.api.url,
    });
  }

  /**
   * Every path to the pages function (a proxy integration), with the one-click `POST /unsubscribe` as a
   * method of its own so it gets its own throttle; access logs without query strings (links carry tokens).
   */
  private restApi(props: SubscriptionApiProps): apigateway.RestApi {
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const api = new apigateway.RestApi(this, 'Api', {
      description: 'likewatch subscription pages',
      // IPv4 only (the default, stated): WAF counts clients by address and cannot group an IPv6 /64.
      endpointConfiguration: {
        types: [apigateway.EndpointType.REGIONAL],
        ipAddressType: apigateway.IpAddressType.IPV4,
      },
      // Access logs of a REST API need the account's API Gateway CloudWatch role (one per account and region).
      cloudWatchRole: true,
      deployOptions: {
        stageName: SITE_STAGE,
        throttlingRateLimit: PAGES_RATE_LIMIT,
        throttlingBurstLimit: PAGES_BURST_LIMIT,
        methodOptions: {
          '/unsubscribe/POST': {
            throttlingRateLimit: ONE_CLICK_RATE_LIMIT,
            throttlingBurstLimit: ONE_CLICK_BURST_LIMIT,
          },
        },
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        // No query string: the pages' links carry tokens.
        accessLogFormat: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.resourcePath',
            status: '$context.status',
            latency: '$context.responseLatency',
            waf: '$context.wafResponseCode',
          }),
        ),
      },
    });
    const integration = new apigateway.LambdaIntegration(this.pages.function, { proxy: true });
    api.root.addMethod('ANY', integration);
    api.root.addProxy({ defaultIntegration: integration, anyMethod: true });
    const unsubscribe = api.root.addResource('unsubscribe');
    unsubscribe.addMethod('ANY', integration);
    unsubscribe.addMethod('POST', integration);

    for (const method of api.methods) {
      Validations.of(method).acknowledge(
        {
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason:
            'Public sign-up pages: links carry signed, expiring tokens and forms carry anti-CSRF tokens; there is no login.',
        },
        {
          id: 'AwsSolutions::AwsSolutions-COG4',
          reason: 'Public sign-up pages: there are no user accounts, so no Cognito user pool.',
        },
      );
    }
    Validations.of(api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG2',
      reason:
        'One proxy integration serves every page; the function validates every request with zod and answers each refusal with a page.',
    });
    Validations.of(api.deploymentStage).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG6',
      reason:
        'Access logs are on; execution logs would log request data, including the tokens in links.',
    });
    if (!props.firewall) {
      Validations.of(api.deploymentStage).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG3',
        reason:
          "The web ACL is the firewall flag, off by default for its $7 a month: the stage and one-click throttles and the function's own per-client and per-address limits stay (docs/SECURITY.md).",
      });
    }
    const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's own role for writing access logs, set once per account and region; AWS maintains its policy.",
      });
    }
    return api;
  }

  /**
   * Per-client limits in front of the pages: a rate-based rule per client address for one-click unsubscribes,
   * and one for everything else, so neither a flood of page requests nor one of unsubscribes from one address
   * can use up what the others need. A client over its limit gets a 429 page; everyone else goes on.
   */
  private webAcl(): wafv2.CfnWebACL {
    const oneClick: wafv2.CfnWebACL.StatementProperty = {
      andStatement: {
        statements: [
          {
            byteMatchStatement: {
              fieldToMatch: { method: {} },
              positionalConstraint: 'EXACTLY',
              searchString: 'POST',
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          {
            byteMatchStatement: {
              fieldToMatch: { uriPath: {} },
              positionalConstraint: 'ENDS_WITH',
              searchString: '/unsubscribe',
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
        ],
      },
    };
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const perClient = (
      name: string,
      priority: number,
      limit: number,
      scopeDownStatement: wafv2.CfnWebACL.StatementProperty,
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      action: {
        block: { customResponse: { responseCode: 429, customResponseBodyKey: 'too-many' } },
      },
      statement: {
        rateBasedStatement: {
          aggregateKeyType: 'IP',
          limit,
          evaluationWindowSec: PER_CLIENT_WINDOW_SECONDS,
          scopeDownStatement,
        },
      },
      visibilityConfig: visibility(name),
    });
    return new wafv2.CfnWebACL(this, 'Firewall', {
      description: 'Per-client limits in front of the likewatch subscription pages.',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      customResponseBodies: {
        'too-many': {
          contentType: 'TEXT_HTML',
          content:
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>Too many requests · likewatch</title><h1>Too many requests</h1><p>Too many requests came from your address. Please wait a few minutes and try again.</p></html>',
        },
      },
      rules: [
        perClient('one-click-unsubscribes-per-client', 0, ONE_CLICK_PER_CLIENT, oneClick),
        perClient('pages-per-client', 1, PAGES_PER_CLIENT, {
          notStatement: { statement: oneClick },
        }),
      ],
      visibilityConfig: visibility('likewatch-pages'),
    });
  }
}
