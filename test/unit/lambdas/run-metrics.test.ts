import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../../../deployment/run-metrics.ts';
import { addRunMetrics } from '../../../lambdas/_shared/middleware.ts';

/** The metrics a run summary adds, by name, as the embedded metric format carries them. */
function published(
  message: Parameters<typeof addRunMetrics>[1],
  fields: Record<string, unknown>,
  which: 'failures' | 'all',
) {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE });
  const added = addRunMetrics(metrics, message, fields, which);
  if (added === 0) return { added, values: {} };
  const emf = metrics.serializeMetrics() as unknown as Record<string, unknown> & {
    _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
  };
  const [directive] = emf._aws.CloudWatchMetrics;
  expect(directive?.Namespace).toBe('likewatch');
  expect(directive?.Dimensions).toEqual([['service']]);
  expect(emf.service).toBe('likewatch');
  const { _aws, service, ...values } = emf;
  return { added, values };
}

describe('run summary metrics', () => {
  it('should publish a failure metric only when something failed', () => {
    const healthy = { accounts: 10, failed: 0, partial: 1, needsReauthorization: 0, retried: 0 };
    expect(published('poll batch finished', healthy, 'failures')).toEqual({ added: 0, values: {} });
    expect(published('poll batch finished', { ...healthy, failed: 3 }, 'failures')).toEqual({
      added: 1,
      values: { PollFailed: 3 },
    });
    expect(
      published('digest batch finished', { sent: 9, failed: 1, retried: 0 }, 'failures'),
    ).toEqual({
      added: 1,
      values: { DigestFailed: 1 },
    });
    expect(published('digest tick finished', { enqueued: 40 }, 'failures').added).toBe(0);
  });

  it('should publish every metric of a summary, zeros too, for the dashboard', () => {
    expect(
      published(
        'poll batch finished',
        { accounts: 10, failed: 0, partial: 1, needsReauthorization: 2, retried: 0, malformed: 0 },
        'all',
      ).values,
    ).toEqual({
      PollAccounts: 10,
      PollFailed: 0,
      PollPartial: 1,
      PollNeedsReauthorization: 2,
      PollRetried: 0,
    });
    expect(published('poll tick finished', { enqueued: 280, due: 'x' }, 'all').values).toEqual({
      PollJobsEnqueued: 280,
    });
  });
});
