/** Poll tick: invoked by the poll schedule with `{ kind: 'poll', scheduledTime }`; fans the slot out. */
import { PollEvent } from '../../core/model.ts';
import { planPollJobs } from '../../core/poll-accounts.ts';
import { createPollTickDeps } from '../_shared/composition.ts';
import { loadEnv, PollTickEnv } from '../_shared/env.ts';
import { logRunSummary, withDefaults } from '../_shared/middleware.ts';

const env = loadEnv(PollTickEnv, process.env);
const deps = createPollTickDeps(env);

/** Sends one poll job per watched account for the event's slot to the poll queue. */
export const pollTickHandler = async (event: unknown) => {
  const { scheduledTime } = PollEvent.parse(event);
  const summary = await planPollJobs(deps, { slot: new Date(scheduledTime) });
  logRunSummary('poll tick finished', { scheduledTime, ...summary });
  return summary;
};

export const handler = withDefaults(pollTickHandler);
