/**
 * Digest tick: invoked every hour by the schedule with `{ kind: 'digest', scheduledTime }`; fans the due
 * digests out. A night too large for one invocation goes to the digest part queue, whose parts
 * `lambdas/digest-parts` plans.
 */
import type { Context } from 'aws-lambda';
import { DigestEvent } from '../../core/model.ts';
import { DIGEST_TICK_DEADLINE_MARGIN_MS } from '../../deployment/fan-out.ts';
import { planNight } from '../_shared/digest-planning.ts';
import { logRunSummary, withDefaults } from '../_shared/middleware.ts';
import { deadlineSignal } from '../_shared/sqs-batch.ts';

/**
 * Explains and stores each due night once, then sends one digest job per due subscriber to the queue; a
 * night too large for one invocation goes to the part queue instead.
 */
export const digestTickHandler = async (
  event: unknown,
  context?: Partial<Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>>,
) => {
  const { scheduledTime } = DigestEvent.parse(event);
  const summary = await planNight(
    scheduledTime,
    deadlineSignal(context, DIGEST_TICK_DEADLINE_MARGIN_MS),
  );
  logRunSummary('digest tick finished', { scheduledTime, ...summary }, context);
  return summary;
};

export const handler = withDefaults(digestTickHandler);
