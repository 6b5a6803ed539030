/** The only CDK app entry: validates the context, then defines the stack of the configured stage. */
import { App } from 'aws-cdk-lib';
import { loadStackConfig } from '../lib/config.ts';
import { LikewatchStack } from '../lib/likewatch-stack.ts';
import { addNagChecks } from '../lib/nag.ts';

const app = new App();
addNagChecks(app);
const config = loadStackConfig(app);

new LikewatchStack(app, `likewatch-${config.stage}`, {
  config,
  description: `likewatch (${config.stage}): polls TikTok stats and emails the morning digest.`,
});
