import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { Explanation } from '../../core/model.ts';

/** Runs the CLI in-process and captures what it prints. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi
    .spyOn(console, 'log')
    .mockImplementation((...parts) => void out.push(parts.join(' ')));
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...parts) => void err.push(parts.join(' ')));
  try {
    const code = await main(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('likewatch simulate and explain', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'likewatch-explain-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a labelled fleet that explain reads, as JSON and as a report', async () => {
    const simulated = await cli([
      'simulate',
      '--out',
      dir,
      '--seed',
      '4',
      '--fleets',
      '1',
      '--accounts',
      '6',
    ]);
    expect(simulated.code).toBe(0);
    const labels = JSON.parse(await readFile(join(dir, 'fleet-1.labels.json'), 'utf8'));
    expect(labels.format).toBe('likewatch.fleet-labels/v1');
    expect(labels.accounts).toHaveLength(6);

    const json = await cli(['explain', join(dir, 'fleet-1.json'), '--json']);
    expect(json.code).toBe(0);
    const explanation = Explanation.parse(JSON.parse(json.stdout));
    expect(explanation.window.to).toBe(labels.asOf);
    expect(explanation.accounts.map((account) => account.id)).toEqual(
      labels.accounts.map((label: { id: string }) => label.id),
    );

    const report = await cli(['explain', join(dir, 'fleet-1.json'), '--as-of', labels.asOf]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(`Window ${labels.window.from} → ${labels.window.to}`);
    expect(report.stdout).toContain(`@${labels.accounts[0].handle}`);
  });

  it('names the file, account, poll and field of invalid input, with exit code 2', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        format: 'likewatch.fleet/v1',
        accounts: [
          {
            platform: 'tiktok',
            id: '42',
            handle: 'answer',
            polls: [{ at: '2026-11-24T06:00:00Z', status: 'ok', videos: [] }],
          },
        ],
      }),
    );
    const { code, stderr } = await cli(['explain', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `likewatch explain: ${file}: accounts[0] (id 42, @answer) › polls[0] (at 2026-11-24T06:00:00Z) › profile`,
    );
  });

  it('rejects an unknown format, bad JSON, a missing file and a bad --as-of with exit code 2', async () => {
    const wrongFormat = join(dir, 'wrong-format.json');
    await writeFile(wrongFormat, JSON.stringify({ format: 'other/v9', accounts: [] }));
    expect((await cli(['explain', wrongFormat])).stderr).toMatch(
      /format: expected "likewatch\.fleet\/v1"/,
    );
    const notJson = join(dir, 'not.json');
    await writeFile(notJson, '{ nope');
    const bad = await cli(['explain', notJson]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not\.json: not valid JSON/);
    expect((await cli(['explain', join(dir, 'missing.json')])).code).toBe(2);
    const asOf = await cli(['explain', wrongFormat, '--as-of', 'tomorrow']);
    expect(asOf.code).toBe(2);
    expect(asOf.stderr).toMatch(/--as-of/);
    expect((await cli(['explain'])).stderr).toMatch(/missing FLEET\.json/);
  });

  it('reads the fleet from stdin with -', async () => {
    const run = promisify(execFile);
    const child = run('node', ['cli/likewatch.mjs', 'explain', '-', '--json']);
    child.child.stdin?.end(await readFile(join(dir, 'fleet-1.json')));
    const { stdout } = await child;
    expect(Explanation.parse(JSON.parse(stdout)).accounts).toHaveLength(6);
  });
});
