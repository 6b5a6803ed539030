/** CDK apps for the template tests: cdk.json's context, and a scratch directory each that is removed after. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { cdkJsonContext } from '../../lib/synthesize-bundles.ts';

const scratch: string[] = [];

/**
 * An App over cdk.json's context plus `overrides`, with asset bundling skipped to keep synth fast. It
 * synthesizes into a scratch directory of its own (an App without one leaves a `cdk.out…` in the temp
 * directory per synth), which `removeScratchApps` deletes.
 */
export function appWith(overrides: Record<string, unknown> = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), 'likewatch-synth-'));
  scratch.push(outdir);
  return new App({
    outdir,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...overrides },
  });
}

/** Deletes the scratch directories of the apps made so far (call from `afterAll`). */
export function removeScratchApps(): void {
  for (const outdir of scratch.splice(0)) rmSync(outdir, { recursive: true, force: true });
}
