/**
 * Operations: alarms that page the operator topic when polls or digests fail, and, as opt-ins, an alarm per
 * part and a CloudWatch dashboard.
 *
 * The ticks and workers publish metrics from their run summaries (`deployment/run-metrics.ts`): the failure metrics
 * only when something failed, the rest only for the dashboard. CloudWatch bills each metric an alarm reads, so
 * one alarm reads every way polls or digests fail (five metrics).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { OptionalParts } from '../../deployment/fan-out.ts';
import {
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  type RunMetricName,
} from '../../deployment/run-metrics.ts';
import type { JobQueue } from './job-queue.ts';
import type { LikewatchFunction } from './likewatch-function.ts';

/** The failure alarms look at each hour: polls are spread over the cadence, so every hour has some. */
const FAILURE_PERIOD = Duration.hours(1);
/** Share of an hour's account polls failing that pages the operator (TikTok trouble, not one account's). */
const FAILED_POLL_SHARE = 0.25;
/** Fewest failed polls in an hour that page: one failure of a handful of polls is not an outage. */
const FAILED_POLLS_AT_LEAST = 2;

/** Properties of {@link Operations}. */
export interface OperationsProps {
  readonly pollTick: LikewatchFunction;
  readonly pollWorker: LikewatchFunction;
  readonly digestTick: LikewatchFunction;
  readonly digestWorker: LikewatchFunction;
  /** Failed schedule deliveries and tick invocations. */
  readonly scheduleDeadLetterQueue: sqs.IQueue;
  /** Jobs of every job queue that failed every delivery. */
  readonly jobDeadLetterQueue: sqs.IQueue;
  readonly pollQueue: JobQueue;
  readonly digestQueue: JobQueue;
  readonly digestPartQueue: JobQueue;
  readonly pollEveryHours: number;
  /** Further functions whose errors page the operator (the subscription pages, SES events). */
  readonly otherFunctions?: readonly LikewatchFunction[];
  /** Subscribed to the alarm topic by email when set. */
  readonly operatorEmail?: string;
  /** Which optional parts to build: the dashboard, the detailed alarms. */
  readonly parts: Pick<OptionalParts, 'dashboard' | 'detailedAlarms'>;
}

/** Alarms, the operator topic and, if asked for, the dashboard. */
export class Operations extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard | undefined;

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
    const deadLetters = (queue: sqs.IQueue, period = Duration.minutes(5)) =>
      queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' });

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

    // One alarm reading every way work fails: ticks or jobs that failed every retry (the two dead-letter
    // queues), polls that finished failed in numbers (an outage, not one account), digests SES refused.
    const hourly = FAILURE_PERIOD;
    const workFailing = new cloudwatch.MathExpression({
      expression: `IF(FILL(ticks, 0) + FILL(jobs, 0) + FILL(digests, 0) >= 1 OR (FILL(polls, 0) >= ${FAILED_POLLS_AT_LEAST} AND FILL(polls, 0) >= ${FAILED_POLL_SHARE} * FILL(done, 0)), 1, 0)`,
      usingMetrics: {
        ticks: deadLetters(props.scheduleDeadLetterQueue, hourly),
        jobs: deadLetters(props.jobDeadLetterQueue, hourly),
        polls: runMetric('PollFailed', hourly),
        // A poll job done is an account polled (ok, partial or failed); SQS counts them for free.
        done: props.pollQueue.queue.metricNumberOfMessagesDeleted({
          period: hourly,
          statistic: 'Sum',
        }),
        digests: runMetric('DigestFailed', hourly),
      },
      period: hourly,
      label: 'Polls or digests failing',
    });
    const alarms = [
      alarm(
        'WorkFailingAlarm',
        `Polls or digests are failing: a tick or jobs failed every retry, ${FAILED_POLLS_AT_LEAST} or more and ${FAILED_POLL_SHARE * 100}% or more of an hour's account polls failed, or SES refused digests this hour. Check the two dead-letter queues, then the poll worker's and digest worker's logs (docs/deploy.md).`,
        workFailing,
        1,
      ),
    ];

    const functions = [
      props.pollTick,
      props.pollWorker,
      props.digestTick,
      props.digestWorker,
      ...(props.otherFunctions ?? []),
    ];
    const deadLetterQueues = {
      DeadLetterQueueAlarm: [props.scheduleDeadLetterQueue, 'A scheduled tick failed every retry'],
      JobsDeadLetterQueueAlarm: [
        props.jobDeadLetterQueue,
        'Poll jobs, digest jobs or night parts failed every delivery (store trouble, deadlines, or a night that was not stored)',
      ],
    } as const;
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
    if (props.parts.detailedAlarms) {
      alarms.push(
        ...Object.entries(deadLetterQueues).map(([alarmId, [queue, what]]) =>
          alarm(
            alarmId,
            `${what}; inspect the dead-letter queue, fix the cause, then redrive it (docs/deploy.md).`,
            deadLetters(queue),
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
        // A poll round still queued when the next one starts means the workers cannot keep the cadence.
        alarm(
          'PollBacklogAlarm',
          'Poll jobs have waited longer than the poll cadence: the workers cannot keep up (see docs/scaling.md).',
          props.pollQueue.queue.metricApproximateAgeOfOldestMessage({
            period: Duration.minutes(15),
            statistic: 'Maximum',
          }),
          pollPeriod.toSeconds(),
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
      );
    }
    const action = new cloudwatchActions.SnsAction(this.alarmTopic);
    for (const each of alarms) each.addAlarmAction(action);

    this.dashboard = props.parts.dashboard
      ? this.dashboardOf(props, {
          alarms,
          functions,
          deadLetterQueues: Object.values(deadLetterQueues).map(([queue]) => queue),
          bounceRate,
          complaintRate,
        })
      : undefined;
  }

  /** The dashboard: polls, digests, SES reputation, functions, queues and alarm states. */
  private dashboardOf(
    props: OperationsProps,
    parts: {
      alarms: cloudwatch.IAlarm[];
      functions: LikewatchFunction[];
      deadLetterQueues: sqs.IQueue[];
      bounceRate: cloudwatch.IMetric;
      complaintRate: cloudwatch.IMetric;
    },
  ): cloudwatch.Dashboard {
    const { functions } = parts;
    const pollPeriod = Duration.hours(props.pollEveryHours);
    const hourly = Duration.hours(1);
    const pollMetric = (name: RunMetricName) => runMetric(name, pollPeriod);
    const digestMetric = (name: RunMetricName) => runMetric(name, hourly);
    const pollJobs = pollMetric('PollJobsEnqueued');
    const digestJobs = digestMetric('DigestJobsEnqueued');
    const polled = pollMetric('PollAccounts');
    const pollFailed = pollMetric('PollFailed');
    const failureRatio = new cloudwatch.MathExpression({
      expression: 'IF(polled > 0, failed / polled, 0)',
      usingMetrics: { polled, failed: pollFailed },
      period: pollPeriod,
      label: 'Share of account polls that failed',
    });
    const jobQueues = [props.pollQueue, props.digestQueue, props.digestPartQueue];
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Account polls',
            left: [
              pollJobs,
              polled,
              pollFailed,
              pollMetric('PollPartial'),
              pollMetric('PollNeedsReauthorization'),
              pollMetric('PollRetried'),
            ],
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
            left: [
              digestJobs,
              digestMetric('DigestSent'),
              digestMetric('DigestFailed'),
              digestMetric('DigestRetried'),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'SES reputation',
            left: [parts.bounceRate, parts.complaintRate],
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
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: parts.alarms, width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Job queues: waiting and oldest (s)',
            left: jobQueues.map((jobs) => jobs.queue.metricApproximateNumberOfMessagesVisible()),
            right: jobQueues.map((jobs) => jobs.queue.metricApproximateAgeOfOldestMessage()),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead letters',
            left: parts.deadLetterQueues.map((queue) =>
              queue.metricApproximateNumberOfMessagesVisible(),
            ),
            width: 12,
          }),
        ],
      ],
    });
  }
}

/** A run-summary metric (`deployment/run-metrics.ts`), summed over `period`. */
function runMetric(name: RunMetricName, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRIC_SERVICE },
    statistic: 'Sum',
    period,
  });
}
