/**
 * Runs the real Lambda handlers in this process, exactly as deployed: the handler modules are imported after
 * the environment points their AWS SDK clients at the embedded services, and are called with the events the
 * schedules send.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { DigestEvent, PollEvent } from '../core/model.ts';
import type { PollRunSummary } from '../core/poll-accounts.ts';
import type { DigestRunSummary } from '../core/send-digests.ts';

/** The deployed handlers, callable locally. */
export interface LocalFunctions {
  poll(event: PollEvent): Promise<PollRunSummary>;
  sendDigests(event: DigestEvent): Promise<DigestRunSummary>;
}

/** Imports the handlers with `env` applied to `process.env` (their configuration is read at cold start). */
export async function loadLocalFunctions(env: Record<string, string>): Promise<LocalFunctions> {
  Object.assign(process.env, env);
  const pollModule = await import('../lambdas/poll-stats/handler.ts');
  const digestModule = await import('../lambdas/send-digests/handler.ts');
  return {
    poll: (event) => pollModule.handler(event, lambdaContext('poll-stats')),
    sendDigests: (event) => digestModule.handler(event, lambdaContext('send-digests')),
  };
}

/** The fields of a Lambda context that the middlewares read. */
function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `likewatch-local-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:likewatch-local-${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/likewatch-local-${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 900_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
