import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SUBSCRIBERS } from '../../local/demo-world.ts';

const run = promisify(execFile);

describe('likewatch start, as a person reads it', () => {
  let dir: string;
  let output: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'likewatch-start-'));
    output = await run(
      'node',
      ['cli/likewatch.mjs', 'start', '--days', '2', '--poll-every-hours', '6', '--out', dir],
      { env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' } },
    ).then(
      (result) => ({ code: 0, ...result }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should show the functions’ log lines as short lines, never as JSON', () => {
    expect(output.code).toBe(0);
    const all = `${output.stdout}\n${output.stderr}`;
    expect(all).not.toMatch(/^\s*\{/m);
    expect(all).not.toContain('"level"');
    // The demo revokes one account's access: the poll worker's warning about it, in words.
    expect(output.stdout).toMatch(
      /^ {2}poll-worker warning: TikTok account needs re-authorization \(.*handle=cozy\.crafts.*\)$/m,
    );
    expect(output.stdout).toMatch(/^ {2}function logs {6}\d+ warnings?$/m);
  });

  it('should say why each subscriber without an email got none', () => {
    expect(output.stdout).toContain(
      'no email to f***@example.com: unsubscribed, so no digest is sent',
    );
    const lines = output.stdout.split('\n');
    const mailed = lines.filter((line) => /^ {4}to /.test(line)).length;
    const unmailed = lines.filter((line) => /^ {4}no email to /.test(line)).length;
    // Every demo subscriber is accounted for, whatever their night was.
    expect(mailed + unmailed).toBe(DEMO_SUBSCRIBERS.length);
  });
});
