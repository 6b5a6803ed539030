/** Poll function: invoked by the poll schedule with `{ kind: 'poll', scheduledTime }`. */

import { PollEvent } from '../../core/model.ts';
import { pollAccounts } from '../../core/poll-accounts.ts';
import { createPollDeps } from '../_shared/composition.ts';
import { loadEnv, PollEnv } from '../_shared/env.ts';
import { logger, withDefaults } from '../_shared/middleware.ts';

const env = loadEnv(PollEnv, process.env);
const deps = createPollDeps(env);

/** Polls every watched account for the event's slot and stores the results. */
export const pollStatsHandler = async (event: unknown) => {
  const { scheduledTime } = PollEvent.parse(event);
  const summary = await pollAccounts(deps, {
    slot: new Date(scheduledTime),
    concurrency: env.POLL_CONCURRENCY,
  });
  logger.info('poll run finished', { scheduledTime, ...summary });
  return summary;
};

export const handler = withDefaults(pollStatsHandler);
