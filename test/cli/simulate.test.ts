import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run('node', ['cli/likewatch.mjs', ...args]).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

/** What the issue asked of the default: a fleet a newcomer can open without a large download's worth of disk. */
const DEFAULT_FLEET_BYTES_LIMIT = 10_000_000;

describe('likewatch simulate', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'likewatch-simulate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should write a fleet under 10 MB by default', async () => {
    const out = join(dir, 'default');
    const { code, stdout } = await cli(['simulate', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain('(12 accounts)');
    const { size } = await stat(join(out, 'fleet-1.json'));
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(DEFAULT_FLEET_BYTES_LIMIT);
  });

  it('should size the fleet with --accounts, --days and --videos', async () => {
    const out = join(dir, 'small');
    const { code } = await cli([
      'simulate',
      ...['--out', out, '--accounts', '3', '--days', '4', '--videos', '5'],
    ]);
    expect(code).toBe(0);
    const fleet = JSON.parse(await readFile(join(out, 'fleet-1.json'), 'utf8')) as {
      accounts: { polls: { at: string }[] }[];
    };
    const labels = JSON.parse(await readFile(join(out, 'fleet-1.labels.json'), 'utf8')) as {
      asOf: string;
    };
    expect(fleet.accounts).toHaveLength(3);
    for (const account of fleet.accounts) {
      const first = Date.parse(account.polls[0]?.at ?? '');
      expect(Date.parse(labels.asOf) - first).toBeLessThanOrEqual(4 * 86_400_000);
    }
  });

  it('should refuse a size that is not a whole number, with exit code 2', async () => {
    const { code, stderr } = await cli(['simulate', '--out', dir, '--videos', 'lots']);
    expect(code).toBe(2);
    expect(stderr).toContain('--videos: expected a number, not "lots"');
  });
});
