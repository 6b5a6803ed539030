/**
 * The subscription side of likewatch: the HTTP API that serves the sign-up, confirmation, preferences,
 * unsubscribe, TikTok connect and feedback pages (one function behind API Gateway's `$default` route, with
 * stage-wide throttling and access logs), and the function that turns SES bounce and complaint events from the
 * events topic into suppressions.
 */
import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLE_ACCESS } from '../table-access.ts';
import type { EmailSending } from './email-sending.ts';
import { LikewatchFunction } from './likewatch-function.ts';

/** Properties of {@link SubscriptionApi}. */
export interface SubscriptionApiProps {
  /** Resolves a function's handler entry (`lambdas/<name>/handler.ts`). */
  readonly entry: (name: string) => string;
  readonly projectRoot: string;
  readonly logRetention: logs.RetentionDays;
  readonly retainLogs: boolean;
  readonly table: dynamodb.ITableV2;
  readonly email: EmailSending;
  readonly linkSigningKey: secretsmanager.ISecret;
  readonly credentialsKey: kms.IKey;
  readonly tiktokClientSecret: secretsmanager.ISecret;
  /** Receives SES events whose processing failed every retry. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly senderAddress: string;
  readonly publicBaseUrl: string;
  readonly tiktokClientKey?: string;
  /** Steady requests per second across the API. @default 20 */
  readonly rateLimit?: number;
  /** Burst of requests allowed above the steady rate. @default 40 */
  readonly burstLimit?: number;
}

/** The pages' HTTP API and the SES events function. */
export class SubscriptionApi extends Construct {
  readonly api: apigwv2.HttpApi;
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
      .bindSecret('LINK_SIGNING_KEY_SECRET_ARN', props.linkSigningKey)
      // Seals the tokens of a connected account, as the poll worker does.
      .bindDataKey('CREDENTIALS_KMS_KEY_ID', props.credentialsKey)
      .bindSecret('TIKTOK_CLIENT_SECRET_ARN', props.tiktokClientSecret)
      .allowSendEmail(props.email);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'likewatch subscription pages',
      defaultIntegration: new HttpLambdaIntegration('Pages', this.pages.function, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
      createDefaultStage: false,
    });
    new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // Stage-wide: the per-IP and per-address limits in the table do the fine-grained work.
      throttle: { rateLimit: props.rateLimit ?? 20, burstLimit: props.burstLimit ?? 40 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // No query string: the pages' links carry tokens.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            latency: '$context.responseLatency',
          }),
        ),
      },
    });
    for (const route of this.api.node.findAll()) {
      if (route instanceof apigwv2.HttpRoute) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason:
            'Public sign-up pages: links carry signed, expiring tokens and forms carry anti-CSRF tokens; there is no login.',
        });
      }
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
      value: this.api.apiEndpoint,
    });
  }
}
