/** Digest function: invoked by the hourly tick with `{ kind: 'digest', scheduledTime }`. */
import { DigestEvent } from '../../core/model.ts';
import { sendDueDigests } from '../../core/send-digests.ts';
import { createDigestDeps } from '../_shared/composition.ts';
import { DigestEnvChecked, loadEnv } from '../_shared/env.ts';
import { logger, withDefaults } from '../_shared/middleware.ts';

const env = loadEnv(DigestEnvChecked, process.env);
const deps = await createDigestDeps(env);

/** Sends the digests due at the event's scheduled time. */
export const sendDigestsHandler = async (event: unknown) => {
  const { scheduledTime } = DigestEvent.parse(event);
  const summary = await sendDueDigests(deps, {
    scheduledTime: new Date(scheduledTime),
    historyDays: env.HISTORY_DAYS,
  });
  logger.info('digest run finished', { scheduledTime, ...summary });
  return summary;
};

export const handler = withDefaults(sendDigestsHandler);
