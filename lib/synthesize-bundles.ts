/**
 * Synthesizes the stack with real esbuild bundling into a scratch cloud assembly and says where each function's
 * bundle is: what the deploy uploads, for tests and benchmarks that run or weigh the deployed code.
 */
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadStackConfig } from './config.ts';
import { LikewatchStack } from './likewatch-stack.ts';

const PROJECT_ROOT = join(fileURLToPath(import.meta.url), '..', '..');

/** One function's synthesized bundle. */
export interface SynthesizedBundle {
  /** The function's logical id in the template. */
  logicalId: string;
  /** The function's description (stable, readable: "Polls …", "Emails …"). */
  description: string;
  /** The bundle's entry file (`index.mjs`). */
  path: string;
}

/** cdk.json's context: the feature flags and defaults `cdk synth` uses. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
}

/**
 * Synthesizes into `outdir` with cdk.json's context plus `context`, and returns every function's bundle.
 * The Lambda runtime provides the AWS SDK, which the bundles leave external; a `node_modules` link in `outdir`
 * stands in for it so the bundles can be loaded here.
 */
export function synthesizeBundles(
  outdir: string,
  context: Record<string, unknown> = {},
): SynthesizedBundle[] {
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(outdir, 'node_modules'));
  const app = new App({ outdir, context: { ...cdkJsonContext(), ...context } });
  const config = loadStackConfig(app);
  const template = Template.fromStack(
    new LikewatchStack(app, `likewatch-${config.stage}`, { config }),
  );
  app.synth();
  return Object.entries(template.findResources('AWS::Lambda::Function')).flatMap(
    ([logicalId, fn]) => {
      const key = fn.Properties?.Code?.S3Key;
      // Functions CDK adds itself (e.g. custom resources) have inline or non-asset code.
      if (typeof key !== 'string' || !fn.Properties?.Handler?.startsWith('index.')) return [];
      return [
        {
          logicalId,
          description: String(fn.Properties.Description ?? logicalId),
          path: join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'),
        },
      ];
    },
  );
}
