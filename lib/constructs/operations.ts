/**
 * Operations: metrics taken from the functions' structured run summaries, alarms that page the operator topic,
 * and one CloudWatch dashboard.
 *
 * The ticks and workers log one JSON summary per run (`poll tick finished`, `poll batch finished`, `digest tick
 * finished`, `digest batch finished`); metric filters turn their fields into metrics, so the numbers in the
 * dashboard are the ones in the logs. (Powertools Metrics would emit them directly, but is not a dependency.)
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { JobQueue } from './job-queue.ts';
import type { LikewatchFunction } from './likewatch-function.ts';

/** The metric namespace of likewatch's own metrics. */
export const METRIC_NAMESPACE = 'likewatch';

/** Properties of {@link Operations}. */
export interface OperationsProps {
  readonly pollTick: LikewatchFunction;
  readonly pollWorker: LikewatchFunction;
  readonly digestTick: LikewatchFunction;
  readonly digestWorker: LikewatchFunction;
  /** Failed schedule deliveries and tick invocations. */
  readonly scheduleDeadLetterQueue: sqs.IQueue;
  readonly pollQueue: JobQueue;
  readonly digestQueue: JobQueue;
  readonly digestPartQueue: JobQueue;
  readonly pollEveryHours: number;
  /** Further functions whose errors page the operator (the subscription pages, SES events). */
  readonly otherFunctions?: readonly LikewatchFunction[];
  /** Subscribed to the alarm topic by email when set. */
  readonly operatorEmail?: string;
}

/** Alarms, the operator topic and the dashboard. */
export class Operations extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'likewatch alarms',
      enforceSSL: true,
    });
    if (props.operatorEmail !== undefined) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.operatorEmail));
    }

    const pollPeriod = Duration.hours(props.pollEveryHours);
    const pollMetric = (field: string) =>
      this.summaryMetric(
        props.pollWorker.logGroup,
        'poll batch finished',
        field,
        `Poll${capitalize(field)}`,
        pollPeriod,
      );
    const digestMetric = (field: string) =>
      this.summaryMetric(
        props.digestWorker.logGroup,
        'digest batch finished',
        field,
        `Digest${capitalize(field)}`,
        Duration.hours(1),
      );
    const pollJobs = this.summaryMetric(
      props.pollTick.logGroup,
      'poll tick finished',
      'enqueued',
      'PollJobsEnqueued',
      pollPeriod,
    );
    const digestJobs = this.summaryMetric(
      props.digestTick.logGroup,
      'digest tick finished',
      'enqueued',
      'DigestJobsEnqueued',
      Duration.hours(1),
    );

    const polled = pollMetric('accounts');
    const pollRetried = pollMetric('retried');
    const pollFailed = pollMetric('failed');
    const pollPartial = pollMetric('partial');
    const needsReauthorization = pollMetric('needsReauthorization');
    const digestsSent = digestMetric('sent');
    const digestsFailed = digestMetric('failed');
    const digestsRetried = digestMetric('retried');
    const functions = [
      props.pollTick,
      props.pollWorker,
      props.digestTick,
      props.digestWorker,
      ...(props.otherFunctions ?? []),
    ];
    const deadLetterQueues = {
      DeadLetterQueueAlarm: [props.scheduleDeadLetterQueue, 'A scheduled tick failed every retry'],
      PollJobsDeadLetterQueueAlarm: [
        props.pollQueue.deadLetterQueue,
        'Poll jobs failed every delivery (store trouble or deadlines)',
      ],
      DigestJobsDeadLetterQueueAlarm: [
        props.digestQueue.deadLetterQueue,
        'Digest jobs failed every delivery (store trouble, or a night that was not stored)',
      ],
      DigestPartsDeadLetterQueueAlarm: [
        props.digestPartQueue.deadLetterQueue,
        'Parts of a large night failed every delivery (store trouble or the timeout); the next ticks split the night again while its subscribers are due',
      ],
    } as const;
    // A poll round still queued when the next one starts means the workers cannot keep the cadence.
    const pollBacklogAge = props.pollQueue.queue.metricApproximateAgeOfOldestMessage({
      period: Duration.minutes(15),
      statistic: 'Maximum',
    });
    const failureRatio = new cloudwatch.MathExpression({
      expression: 'IF(polled > 0, failed / polled, 0)',
      usingMetrics: { polled, failed: pollFailed },
      period: pollPeriod,
      label: 'Share of account polls that failed',
    });
    // SES puts an account under review at a 5% bounce rate and a 0.1% complaint rate: warn well before.
    const bounceRate = new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.BounceRate',
      statistic: 'Maximum',
      period: Duration.hours(1),
    });
    const complaintRate = new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.ComplaintRate',
      statistic: 'Maximum',
      period: Duration.hours(1),
    });

    const alarm = (
      alarmId: string,
      description: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      periods = 1,
    ) =>
      new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const alarms = [
      ...Object.entries(deadLetterQueues).map(([alarmId, [queue, what]]) =>
        alarm(
          alarmId,
          `${what}; inspect the dead-letter queue, fix the cause, then redrive it (docs/deploy.md).`,
          queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
          1,
        ),
      ),
      ...functions.map((fn) =>
        alarm(
          `${fn.node.id}ErrorsAlarm`,
          `${fn.node.id} threw (queued and scheduled work is retried; page requests are not): repeated errors need a look.`,
          fn.function.metricErrors({ period: Duration.hours(1) }),
          1,
        ),
      ),
      alarm(
        'PollBacklogAlarm',
        'Poll jobs have waited longer than the poll cadence: the workers cannot keep up (see docs/scaling.md).',
        pollBacklogAge,
        pollPeriod.toSeconds(),
      ),
      alarm(
        'PollFailureRatioAlarm',
        'A quarter or more of the account polls failed in two poll runs in a row: check TikTok errors in the poll logs.',
        failureRatio,
        0.25,
        2,
      ),
      alarm(
        'DigestSendErrorsAlarm',
        'Digests failed to send this hour; look for SES errors in the digest logs.',
        digestsFailed,
        1,
      ),
      alarm(
        'SesBounceRateAlarm',
        'SES bounce rate reached 4% (SES reviews accounts at 5%).',
        bounceRate,
        0.04,
      ),
      alarm(
        'SesComplaintRateAlarm',
        'SES complaint rate reached 0.08% (SES reviews accounts at 0.1%).',
        complaintRate,
        0.0008,
      ),
    ];
    const action = new cloudwatchActions.SnsAction(this.alarmTopic);
    for (const each of alarms) each.addAlarmAction(action);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Account polls',
            left: [pollJobs, polled, pollFailed, pollPartial, needsReauthorization, pollRetried],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Poll failure ratio',
            left: [failureRatio],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Digests',
            left: [digestJobs, digestsSent, digestsFailed, digestsRetried],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'SES reputation',
            left: [bounceRate, complaintRate],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function errors and duration',
            left: functions.map((fn) => fn.function.metricErrors()),
            right: functions.map((fn) => fn.function.metricDuration()),
            width: 12,
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Job queues: waiting and oldest (s)',
            left: [props.pollQueue, props.digestQueue, props.digestPartQueue].map((jobs) =>
              jobs.queue.metricApproximateNumberOfMessagesVisible(),
            ),
            right: [props.pollQueue, props.digestQueue, props.digestPartQueue].map((jobs) =>
              jobs.queue.metricApproximateAgeOfOldestMessage(),
            ),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead letters',
            left: Object.values(deadLetterQueues).map(([queue]) =>
              queue.metricApproximateNumberOfMessagesVisible(),
            ),
            width: 12,
          }),
        ],
      ],
    });
  }

  /** A metric from one numeric field of a function's JSON run summary (`{ message, <field> }`). */
  private summaryMetric(
    logGroup: logs.ILogGroup,
    message: string,
    field: string,
    metricName: string,
    period: Duration,
  ): cloudwatch.Metric {
    new logs.MetricFilter(this, `${metricName}Filter`, {
      logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', message),
      metricNamespace: METRIC_NAMESPACE,
      metricName,
      metricValue: `$.${field}`,
      defaultValue: 0,
    });
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      statistic: 'Sum',
      period,
    });
  }
}

function capitalize(word: string): string {
  return `${word[0]?.toUpperCase() ?? ''}${word.slice(1)}`;
}
