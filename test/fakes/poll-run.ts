/** One whole poll run in a test, taken the way the deployed tick and workers take it. */
import type { PollJob } from '../../core/model.ts';
import {
  type PollAccountJobsDeps,
  type PollJobResult,
  type PollRunSummary,
  planPollJobs,
  pollAccountJobs,
  summarizePollJobs,
} from '../../core/poll-accounts.ts';

/** A cadence the tick covers whole, so every account is due. */
const WHOLE_CADENCE_MINUTES = 360;

/**
 * Queues a job for every account of the store at `slot` (`planPollJobs`) and polls them all as one worker
 * batch (`pollAccountJobs`).
 */
export async function pollEveryAccount(
  deps: PollAccountJobsDeps,
  slot: Date,
  options: { concurrency: number; signal?: AbortSignal },
): Promise<{ summary: PollRunSummary; jobs: PollJob[]; results: PollJobResult[] }> {
  const jobs: PollJob[] = [];
  await planPollJobs(
    { store: deps.store, queue: { send: async (sent) => void jobs.push(...sent) } },
    { slot, widthMinutes: WHOLE_CADENCE_MINUTES, cadenceMinutes: WHOLE_CADENCE_MINUTES },
  );
  const results = await pollAccountJobs(deps, jobs, options);
  return { summary: summarizePollJobs(results), jobs, results };
}
