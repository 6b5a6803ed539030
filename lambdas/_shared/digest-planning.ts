/** What the digest tick and the digest part planner share: planning one night, or one part of it, in time. */
import type { DigestPartJob } from '../../core/model.ts';
import { planDigestJobs } from '../../core/send-digests.ts';
import { createDigestTickDeps } from './composition.ts';
import { DigestTickEnv, loadEnv } from './env.ts';

const env = loadEnv(DigestTickEnv, process.env);
const deps = createDigestTickDeps(env);

/** Plans the digests of the tick of `scheduledTime`, or of one part of its night, stopping when `signal` aborts. */
export function planNight(
  scheduledTime: string,
  signal: AbortSignal | undefined,
  part?: DigestPartJob,
) {
  return planDigestJobs(deps, {
    scheduledTime: new Date(scheduledTime),
    historyDays: env.HISTORY_DAYS,
    ...(part ? { part } : {}),
    ...(signal ? { signal } : {}),
  });
}
