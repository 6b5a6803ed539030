/** Digest tick: invoked every hour with `{ kind: 'digest', scheduledTime }`; fans the due digests out. */
import { DigestEvent } from '../../core/model.ts';
import { planDigestJobs } from '../../core/send-digests.ts';
import { createDigestTickDeps } from '../_shared/composition.ts';
import { DigestTickEnv, loadEnv } from '../_shared/env.ts';
import { logRunSummary, withDefaults } from '../_shared/middleware.ts';

const env = loadEnv(DigestTickEnv, process.env);
const deps = createDigestTickDeps(env);

/** Explains and stores each due night once, then sends one digest job per due subscriber to the queue. */
export const digestTickHandler = async (event: unknown) => {
  const { scheduledTime } = DigestEvent.parse(event);
  const summary = await planDigestJobs(deps, {
    scheduledTime: new Date(scheduledTime),
    historyDays: env.HISTORY_DAYS,
  });
  logRunSummary('digest tick finished', { scheduledTime, ...summary });
  return summary;
};

export const handler = withDefaults(digestTickHandler);
