import { afterAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '../../lib/config.ts';
import { LikewatchStack } from '../../lib/likewatch-stack.ts';
import { addNagChecks } from '../../lib/nag.ts';
import { appWith, removeScratchApps } from './apps.ts';

afterAll(removeScratchApps);

describe('cdk-nag AWS Solutions checks', () => {
  it.each(['dev', 'prod'])('should find nothing unacknowledged in the %s stack', (stage) => {
    // Arrange
    const app = appWith({ stage, operatorEmail: 'ops@example.com' });
    addNagChecks(app);
    const config = loadStackConfig(app);
    new LikewatchStack(app, `likewatch-${stage}`, { config });
    // Act / Assert: synthesis throws when a finding is neither fixed nor acknowledged.
    expect(() => app.synth()).not.toThrow();
  });

  it('should find nothing unacknowledged with every optional part on', () => {
    const app = appWith({
      stage: 'prod',
      operatorEmail: 'ops@example.com',
      dashboard: 'true',
      detailedAlarms: 'true',
      firewall: 'true',
    });
    addNagChecks(app);
    new LikewatchStack(app, 'likewatch-prod', { config: loadStackConfig(app) });
    expect(() => app.synth()).not.toThrow();
  });
});
