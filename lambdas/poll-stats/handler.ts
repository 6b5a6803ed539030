/** Poll function: invoked by the poll schedule with `{ kind: 'poll', scheduledTime }`. */

import type { Context } from 'aws-lambda';
import { PollEvent } from '../../core/model.ts';
import { pollAccounts } from '../../core/poll-accounts.ts';
import { createPollDeps } from '../_shared/composition.ts';
import { loadEnv, PollEnvChecked } from '../_shared/env.ts';
import { logger, withDefaults } from '../_shared/middleware.ts';

const env = loadEnv(PollEnvChecked, process.env);
const deps = await createPollDeps(env);

/**
 * Polls every watched account for the event's slot and stores the results. The run stops
 * `POLL_DEADLINE_MARGIN_MS` before the function would time out, so the accounts it did not reach are still
 * stored (as `not_reached`) instead of the whole run dying silently.
 */
export const pollStatsHandler = async (
  event: unknown,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => {
  const { scheduledTime } = PollEvent.parse(event);
  const remainingMs = context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
  const budgetMs = remainingMs - env.POLL_DEADLINE_MARGIN_MS;
  const signal = Number.isFinite(budgetMs) ? AbortSignal.timeout(Math.max(0, budgetMs)) : undefined;
  const summary = await pollAccounts(deps, {
    slot: new Date(scheduledTime),
    concurrency: env.POLL_CONCURRENCY,
    ...(signal ? { signal } : {}),
  });
  if (summary.notReached > 0) {
    logger.warn('poll run stopped before the function timeout', { scheduledTime, ...summary });
  }
  logger.info('poll run finished', { scheduledTime, ...summary });
  return summary;
};

export const handler = withDefaults(pollStatsHandler);
