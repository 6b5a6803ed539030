import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../core/errors.ts';

const run = promisify(execFile);

/** The environment without any AWS setting, so no credentials or region can be found anywhere. */
function withoutAws(extra: Record<string, string> = {}, home = tmpdir()): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
  );
  return {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    // No instance metadata lookups: the test machine is not in AWS and must not wait for it.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LIKEWATCH_DEBUG: '',
    ...extra,
  };
}

const cli = (args: string[], env: NodeJS.ProcessEnv = withoutAws()) =>
  run('node', ['cli/likewatch.mjs', ...args], { env }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

/** A stack frame line, as Node prints them. */
const STACK_FRAME = /^\s+at /m;

/** A loopback port nothing listens on: one that was free a moment ago. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the CLI’s failures', () => {
  let dir: string;
  let endpoint: string;
  let fleet: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'likewatch-failures-'));
    endpoint = `http://127.0.0.1:${await deadPort()}`;
    fleet = join(dir, 'fleet.json');
    await writeFile(fleet, JSON.stringify({ format: 'likewatch.fleet/v1', accounts: [] }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['export'],
    ['import', 'FLEET'],
    ['accounts', 'list'],
    ['subscribers', 'list'],
    ['digest', '--to', 'maya@example.com', '--out', 'DIR'],
  ])(
    'should say in two lines, without a stack trace, that `%s` cannot reach a stopped local store (exit 1)',
    async (...command) => {
      const args = command.map((arg) => ({ FLEET: fleet, DIR: dir })[arg] ?? arg);
      const { code, stderr } = await cli([...args, '--endpoint', endpoint]);
      expect(code).toBe(1);
      expect(stderr).not.toMatch(STACK_FRAME);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        new RegExp(
          `^likewatch ${command[0]}: cannot reach the DynamoDB at 127\\.0\\.0\\.1:\\d+ \\(ECONNREFUSED\\)$`,
        ),
      );
      expect(lines[1]).toContain('npx likewatch start --serve');
    },
  );

  it('should say which AWS setting is missing for a deployed table, without a stack trace (exit 1)', async () => {
    const noRegion = await cli(
      ['accounts', 'list', '--table', 'likewatch-dev'],
      withoutAws({}, dir),
    );
    expect(noRegion.code).toBe(1);
    expect(noRegion.stderr).not.toMatch(STACK_FRAME);
    expect(noRegion.stderr.trim().split('\n')).toEqual([
      'likewatch accounts: no AWS region set',
      'To fix: set AWS_REGION (e.g. AWS_REGION=eu-west-1), or use --endpoint URL for a local store.',
    ]);

    const noCredentials = await cli(
      ['subscribers', 'list', '--table', 'likewatch-dev'],
      withoutAws({ AWS_REGION: 'eu-west-1' }, dir),
    );
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stderr).not.toMatch(STACK_FRAME);
    const [what, fix, ...more] = noCredentials.stderr.trim().split('\n');
    expect(what).toBe('likewatch subscribers: no AWS credentials found');
    expect(fix).toMatch(/^To fix: set AWS credentials .*AWS_ACCESS_KEY_ID/);
    expect(more).toEqual([]);
  });

  it('should print the stack trace, with its cause, only with --debug or LIKEWATCH_DEBUG=1', async () => {
    const flagged = await cli(['export', '--debug', '--endpoint', endpoint]);
    expect(flagged.code).toBe(1);
    expect(flagged.stderr).toMatch(/^likewatch export: cannot reach the DynamoDB/);
    expect(flagged.stderr).toMatch(STACK_FRAME);
    expect(flagged.stderr).toContain('ECONNREFUSED');

    const environment = await cli(
      ['export', '--endpoint', endpoint],
      withoutAws({ LIKEWATCH_DEBUG: '1' }),
    );
    expect(environment.code).toBe(1);
    expect(environment.stderr).toMatch(STACK_FRAME);
  });

  it('should refuse bad usage with exit code 2: the problem, then where the options are', async () => {
    const { code, stderr } = await cli(['import', fleet]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      'likewatch import: give --endpoint URL for a local store, or --table NAME for the deployed one',
      "See 'likewatch import --help' for its options.",
    ]);
  });

  it('should name a value that is not a number, once', async () => {
    const { code, stderr } = await cli(['start', '--days', 'many']);
    expect(code).toBe(2);
    expect(stderr).toContain('likewatch start: --days: expected a number, not "many"\n');
    expect(stderr).not.toContain('NaN');
  });

  it('should list the demo’s addresses when --to is not one of them, before running anything', async () => {
    const { code, stdout, stderr } = await cli(['digest', '--demo', '--to', 'a@example.com']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      "likewatch digest: --to: a@example.com is not a demo subscriber; the demo's are maya@example.com, team@agency.example, ines@example.org, kenji@example.net",
    );
    expect(stderr).not.toMatch(STACK_FRAME);
  });
});

describe('describeFailure', () => {
  it('should find an actionable cause under the store’s error', async () => {
    const { describeFailure } = await import('../../cli/failure.ts');
    const missing = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
    });
    const [what, fix] = describeFailure(
      new StoreError('DynamoDB request failed', { cause: missing }),
    );
    expect(what).toBe('the table was not found (Requested resource not found)');
    expect(fix).toContain('check --table');
  });

  it('should keep an unknown failure’s innermost message and point at --debug', async () => {
    const { describeFailure } = await import('../../cli/failure.ts');
    const lines = describeFailure(
      new StoreError('DynamoDB request failed', { cause: new Error('socket hang up') }),
    );
    expect(lines).toEqual([
      'DynamoDB request failed (socket hang up)',
      'Run again with --debug to see where it failed.',
    ]);
  });
});
