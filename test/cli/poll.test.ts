/**
 * `likewatch poll` and `likewatch fake-tiktok --replay`, run as an operator runs them (the CLI in its own
 * process) against the fake TikTok and against replays of real answers.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../../core/model.ts';
import { DAY_MS } from '../../core/time.ts';
import { createDigestDemoWorld } from '../../local/demo-world.ts';
import { ReplayTikTok } from '../../local/fake-tiktok/replay.ts';
import { FakeTikTok } from '../../local/fake-tiktok/server.ts';
import { AT, WORLD } from '../fakes/tiktok-fixture.ts';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run('node', ['cli/likewatch.mjs', ...args]).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
const FIXTURES = join(import.meta.dirname, '../fixtures/tiktok');
const ACCOUNT_ID = WORLD.accounts[0]?.id as string;

describe('likewatch poll', () => {
  let tiktok: FakeTikTok;
  let replay: ReplayTikTok;

  beforeAll(async () => {
    tiktok = await FakeTikTok.start({ world: WORLD, now: () => AT });
    replay = await ReplayTikTok.start(join(FIXTURES, 'research-page'));
  });
  afterAll(async () => {
    await tiktok?.close();
    await replay?.close();
  });

  it('should print the poll of a Display API account, each video on its line', async () => {
    const token = tiktok.issueToken(ACCOUNT_ID);
    const { code, stdout } = await cli([
      'poll',
      ACCOUNT_ID,
      '--source',
      'display_api',
      '--base-url',
      tiktok.url,
      '--access-token',
      token,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^@maya\.bakes \(id 6659752019493208069\) via the Display API at .*: ok$/m,
    );
    expect(stdout).toContain('profile: 1,196,403 followers, 20 following');
    expect(stdout).toMatch(
      /^ {4}7300000000000000000 {2}posted 2026-11-20T00:00:00Z: 123,457 views, 22,609 likes/m,
    );
    expect(stdout.match(/^ {4}73\d{17} /gm)).toHaveLength(45);
  });

  it('should write a fleet document of a real Research answer, naming the video left out', async () => {
    const { code, stdout } = await cli([
      'poll',
      '@illyonz',
      '--source',
      'research_api',
      '--base-url',
      replay.url,
      '--client-key',
      'client-key',
      '--client-secret',
      'client-secret',
      '--json',
    ]);
    expect(code).toBe(0);
    const fleet = Fleet.parse(JSON.parse(stdout));
    expect(fleet.accounts).toHaveLength(1);
    expect(fleet.accounts[0]).toMatchObject({ id: 'illyonz', handle: 'illyonz' });
    expect(fleet.accounts[0]?.polls).toEqual([
      expect.objectContaining({
        status: 'partial',
        reason: 'invalid_item',
        rejected: [{ video: '7320768149928955182', field: 'like_count', problem: 'missing' }],
      }),
    ]);
  });

  it('should look a web account up by its handle and poll it', async () => {
    const { code, stdout } = await cli([
      'poll',
      'maya.bakes',
      '--source',
      'web',
      '--base-url',
      tiktok.url,
    ]);
    expect(code).toBe(0);
    // The profile page embeds 30 of the 45 videos: honest about the rest.
    expect(stdout).toMatch(
      /^@maya\.bakes \(id 6659752019493208069\) via the web pages .*: partial \(missing_pages\)$/m,
    );
  });

  it.each([
    [['poll', '--source', 'web'], 'missing HANDLE_OR_ID'],
    [['poll', 'x', '--source', 'tiktok'], '--source'],
    [['poll', 'x', '--source', 'display_api'], '--access-token'],
    [['poll', 'x', '--source', 'research_api'], '--client-key'],
    [['poll', 'x', '--source', 'web', '--access-token', 't'], 'only display_api'],
    [['poll', 'x', '--source', 'web', '--base-url', 'ftp://example.com'], '--base-url'],
  ])(
    'should refuse %j in two lines (the problem, then --help) with exit code 2',
    async (args, message) => {
      const { code, stdout, stderr } = await cli(args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      const [problem, hint, ...more] = stderr.trim().split('\n');
      expect(problem).toContain(message);
      expect(hint).toBe("See 'likewatch poll --help' for its options.");
      expect(more).toEqual([]);
    },
  );

  it('should say in one line that TikTok could not be reached, with exit code 1', async () => {
    // A port nothing listens on: the replay server's, once closed.
    const gone = await ReplayTikTok.start(join(FIXTURES, 'research-page'));
    await gone.close();
    const { code, stdout, stderr } = await cli([
      'poll',
      'maya.bakes',
      '--source',
      'web',
      '--base-url',
      gone.url,
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^likewatch poll: could not reach http:\/\/127\.0\.0\.1:\d+/),
    ]);
  });
});

describe('likewatch fake-tiktok --replay', () => {
  it('should print its address first and answer with the captured bodies', async () => {
    const child = spawn(
      'node',
      ['cli/likewatch.mjs', 'fake-tiktok', '--replay', join(FIXTURES, 'research-daily-quota')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('\n')) {
        const [chunk] = (await once(child.stdout, 'data')) as [string];
        output += chunk;
      }
      const first = output.split('\n')[0] as string;
      expect(first).toMatch(/^Fake TikTok at http:\/\/127\.0\.0\.1:\d+$/);
      const url = first.replace('Fake TikTok at ', '');
      // Any method, query string ignored; the status from the .status file; the last file repeats.
      for (const attempt of [1, 2]) {
        const answer = await fetch(`${url}/v2/research/video/query/?fields=id&n=${attempt}`, {
          method: 'POST',
        });
        expect(answer.status).toBe(429);
        expect(await answer.json()).toMatchObject({
          error: { code: 'daily_quota_limit_exceeded' },
        });
      }
      const token = await fetch(`${url}/v2/oauth/token/`);
      expect(await token.json()).toMatchObject({ token_type: 'Bearer' });
      expect((await fetch(`${url}/v2/nothing/here/`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});

describe('likewatch fake-tiktok', () => {
  it("serves the demo's own accounts, those `start` registers", async () => {
    const child = spawn('node', ['cli/likewatch.mjs', 'fake-tiktok'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('Serving until Ctrl-C.')) {
        const [chunk] = (await once(child.stdout, 'data')) as [string];
        output += chunk;
      }
      const handles = [...output.matchAll(/^ {2}@(\S+) \(id/gm)].map((match) => match[1]);
      const demo = createDigestDemoWorld({ seed: 1, start: new Date(0), asOf: new Date(DAY_MS) });
      expect(handles).toEqual(demo.world.accounts.map((account) => account.handle));
      expect(handles).toContain('luna.bakes');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
