import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { loadStackConfig } from '../../lib/config.ts';
import { LikewatchStack } from '../../lib/likewatch-stack.ts';
import { addNagChecks } from '../../lib/nag.ts';

const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

describe('cdk-nag AWS Solutions checks', () => {
  it.each(['dev', 'prod'])('should find nothing unacknowledged in the %s stack', (stage) => {
    // Arrange
    const app = new App({
      context: {
        ...CDK_JSON_CONTEXT,
        'aws:cdk:bundling-stacks': [],
        stage,
        operatorEmail: 'ops@example.com',
      },
    });
    addNagChecks(app);
    const config = loadStackConfig(app);
    new LikewatchStack(app, `likewatch-${stage}`, { config });
    // Act / Assert: synthesis throws when a finding is neither fixed nor acknowledged.
    expect(() => app.synth()).not.toThrow();
  });
});
