import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run('node', ['cli/likewatch.mjs', ...args]).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

describe('likewatch CLI', () => {
  it('should list its commands with --help', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: likewatch <command>/);
    expect(stdout).toMatch(/^\s+start\s+Run the whole pipeline/m);
  });

  it('should refuse an unknown command with exit code 2', async () => {
    const { code, stderr } = await cli(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });

  it('should refuse a bad option with a clear message and exit code 2', async () => {
    const { code, stderr } = await cli(['start', '--days', 'many']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/likewatch start: .*days/s);
  });

  it('should line up a command’s forms and its options’ descriptions in --help', async () => {
    const { code, stdout } = await cli(['digest', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: likewatch digest --demo .*\n {7}likewatch digest --to /m);
    const columns = stdout
      .split('\n')
      .filter((line) => line.startsWith('  --'))
      .map((line) => /^ {2}--\S+(?: [A-Z]+)? +/.exec(line)?.[0].length);
    expect(columns.length).toBeGreaterThanOrEqual(8);
    expect(new Set(columns)).toEqual(new Set([columns[0]]));
  });
});
