/** The only CDK app entry: validates the context, then defines the stack of the configured stage. */
import { App } from 'aws-cdk-lib';
import { loadStackConfig, StackConfigError } from '../lib/config.ts';
import { LikewatchStack } from '../lib/likewatch-stack.ts';
import { addNagChecks } from '../lib/nag.ts';

const app = new App();
addNagChecks(app);

try {
  const config = loadStackConfig(app);
  new LikewatchStack(app, `likewatch-${config.stage}`, {
    config,
    description: `likewatch (${config.stage}): polls TikTok stats and emails the morning digest.`,
  });
} catch (error) {
  // Bad context is the user's to fix: its message names each key and how to set it, as the CLI reports its
  // failures. The stack trace is for LIKEWATCH_DEBUG=1 only.
  if (!(error instanceof StackConfigError) || process.env.LIKEWATCH_DEBUG === '1') throw error;
  console.error(error.message);
  process.exitCode = 1;
}
