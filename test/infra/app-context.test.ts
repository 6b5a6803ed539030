import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs the CDK app as `cdk synth` does (`cdk.json` "app"), with `context` as the CLI's `-c` would pass it. */
const app = (context: Record<string, unknown>, env: Record<string, string> = {}) =>
  run('npx', ['--no-install', 'tsx', 'bin/app.ts'], {
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      LIKEWATCH_DEBUG: '',
      ...env,
    },
  }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

const GOOD = {
  stage: 'dev',
  senderAddress: 'likewatch <digest@example.com>',
  pollEveryHours: 6,
  publicBaseUrl: 'https://likewatch.example.com',
};

describe('the CDK app with bad context', () => {
  it('should say which key is wrong and how to set it, without a stack trace (exit 1)', async () => {
    const { code, stderr } = await app({ ...GOOD, stage: 'Bad_Stage!' });
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr.trim().split('\n')).toEqual([
      'Invalid likewatch CDK context:',
      expect.stringMatching(
        /^ {2}- stage: .*\(set it with -c stage=prod or in cdk\.json "context"\)$/,
      ),
    ]);
  });

  it('should show the stack trace with LIKEWATCH_DEBUG=1', async () => {
    const { code, stderr } = await app({ ...GOOD, stage: 'Bad_Stage!' }, { LIKEWATCH_DEBUG: '1' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^\s+at /m);
  });
});
