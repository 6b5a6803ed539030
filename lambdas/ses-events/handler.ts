/**
 * SES events function: subscribed to the SES events topic (SNS). Permanent bounces and complaints suppress
 * the address; complaints also unsubscribe (see `core/subscriptions/email-events.ts`).
 */
import { parseSesEvents } from '../../adapters/ses-events.ts';
import { recordEmailEvents } from '../../core/subscriptions/email-events.ts';
import { createSesEventsDeps } from '../_shared/composition.ts';
import { loadEnv, SesEventsEnv } from '../_shared/env.ts';
import { logger, withDefaults } from '../_shared/middleware.ts';

const env = loadEnv(SesEventsEnv, process.env);
const deps = createSesEventsDeps(env);

/** Records the SES events of one SNS delivery. */
export const sesEventsHandler = async (event: unknown) => {
  const summary = await recordEmailEvents(deps, parseSesEvents(event, new Date()));
  logger.info('ses events recorded', { ...summary });
  return summary;
};

export const handler = withDefaults(sesEventsHandler);
