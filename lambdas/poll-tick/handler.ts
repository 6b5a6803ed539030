/**
 * Poll tick: invoked by the poll schedule with `{ kind: 'poll', scheduledTime }`; fans out the accounts due
 * in it (core/poll-schedule.ts).
 */
import { PollEvent } from '../../core/model.ts';
import { planPollJobs } from '../../core/poll-accounts.ts';
import { createPollTickDeps } from '../_shared/composition.ts';
import { loadEnv, PollTickEnv } from '../_shared/env.ts';
import { logRunSummary, withDefaults } from '../_shared/middleware.ts';

const env = loadEnv(PollTickEnv, process.env);
const deps = createPollTickDeps(env);

const cadenceMinutes = env.POLL_EVERY_HOURS * 60;

/** Sends one poll job per account due in the tick (every account, or a minute's share) to the poll queue. */
export const pollTickHandler = async (event: unknown) => {
  const { scheduledTime } = PollEvent.parse(event);
  const summary = await planPollJobs(deps, {
    slot: new Date(scheduledTime),
    widthMinutes: env.POLL_TICK_MINUTES ?? cadenceMinutes,
    cadenceMinutes,
  });
  logRunSummary('poll tick finished', { scheduledTime, ...summary });
  return summary;
};

export const handler = withDefaults(pollTickHandler);
