import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '../../lib/config.ts';
import { LikewatchStack } from '../../lib/likewatch-stack.ts';
import { appWith, removeScratchApps } from './apps.ts';

afterAll(removeScratchApps);

/**
 * The template with what changes on every code edit replaced: asset hashes (bundle keys, asset metadata). What
 * remains is the infrastructure, so a diff in the snapshot is an infrastructure change to review.
 */
function redacted(template: unknown): unknown {
  return JSON.parse(
    JSON.stringify(template, (key, value) => {
      if (key === 'S3Key' && typeof value === 'string') return '<asset hash>.zip';
      if (key === 'aws:asset:path' || key === 'aws:asset:hash') return '<asset>';
      return value;
    }).replace(/[0-9a-f]{64}/g, '<hash>'),
  );
}

describe('LikewatchStack template', () => {
  it('should match the reviewed snapshot of a fully configured prod stack', async () => {
    // Arrange
    const app = appWith({
      stage: 'prod',
      operatorEmail: 'ops@example.com',
      tiktokClientKey: 'awc1example2key3',
      enabledSources: 'display_api,research_api',
    });
    const config = loadStackConfig(app);
    // Act
    const template = Template.fromStack(new LikewatchStack(app, 'likewatch-prod', { config }));
    // Assert: `npx vitest run test/infra -u` rewrites it after a reviewed change.
    await expect(JSON.stringify(redacted(template.toJSON()), null, 2)).toMatchFileSnapshot(
      '__snapshots__/likewatch-stack.template.json',
    );
  });
});
