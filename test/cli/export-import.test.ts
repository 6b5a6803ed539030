import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../../core/model.ts';
import { simulateFleet } from '../../core/simulate/fleet.ts';
import { type EmbeddedService, startEmbeddedDynamoDb } from '../../local/services.ts';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run('node', ['cli/likewatch.mjs', ...args], { maxBuffer: 256 * 2 ** 20 }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

describe('likewatch export / import', () => {
  let dynamo: EmbeddedService;
  let dir: string;

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamoDb();
    dir = await mkdtemp(join(tmpdir(), 'likewatch-fleet-'));
  });
  afterAll(async () => {
    await dynamo.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('should give back exactly the fleet that was imported', async () => {
    // Arrange
    const { fleet } = simulateFleet({ seed: 3, accounts: 4 });
    const file = join(dir, 'fleet.json');
    await writeFile(file, JSON.stringify(fleet));
    // Act: importing twice changes nothing.
    const imported = await cli(['import', file, '--endpoint', dynamo.endpoint]);
    await cli(['import', file, '--endpoint', dynamo.endpoint]);
    const exported = await cli(['export', '--endpoint', dynamo.endpoint]);
    // Assert
    expect(imported.code).toBe(0);
    expect(imported.stderr).toMatch(/Imported \d+ polls of 4 accounts \(4 new\)/);
    expect(exported.code).toBe(0);
    const byId = (document: Fleet) =>
      [...document.accounts].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(JSON.parse(exported.stdout) as Fleet)).toEqual(byId(fleet));
    // Three CLI processes and thousands of polls through dynalite: generous on a loaded machine.
  }, 240_000);

  it('should export one account over a time range', async () => {
    // Arrange
    const { fleet } = simulateFleet({ seed: 3, accounts: 4 });
    const account = fleet.accounts[1]!;
    const from = account.polls[2]!.at;
    const to = account.polls[5]!.at;
    // Act
    const { code, stdout } = await cli([
      'export',
      '--account',
      account.id,
      '--from',
      from,
      '--to',
      to,
      '--endpoint',
      dynamo.endpoint,
    ]);
    // Assert
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      format: 'likewatch.fleet/v1',
      accounts: [{ ...account, polls: account.polls.slice(2, 6) }],
    });
  });

  it('should refuse bad input with exit code 2 and say what is wrong', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, JSON.stringify({ format: 'likewatch.fleet/v2', accounts: [] }));
    const noStore = await cli(['export']);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toMatch(/--endpoint URL .* --table NAME/);
    const badFormat = await cli(['import', broken, '--endpoint', dynamo.endpoint]);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('format: expected "likewatch.fleet/v1"');
    // A handle that breaks TikTok's rules refuses the whole file, naming the account; nothing is stored.
    const { fleet } = simulateFleet({ seed: 4, accounts: 2 });
    const hostile = { ...fleet.accounts[1]!, id: 'hostile-1', handle: '"><img src=x>\r\n\u202Ex' };
    const badHandle = join(dir, 'bad-handle.json');
    await writeFile(
      badHandle,
      JSON.stringify({ ...fleet, accounts: [fleet.accounts[0]!, hostile] }),
    );
    const refused = await cli(['import', badHandle, '--endpoint', dynamo.endpoint]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('accounts[1] (id hostile-1): handle');
    expect(refused.stderr).toContain('not a TikTok username');
    const listed = await cli(['accounts', 'list', '--endpoint', dynamo.endpoint]);
    expect(listed.stdout).not.toContain('hostile-1');
    expect(listed.stdout).not.toContain(fleet.accounts[0]!.id);
    const unknown = await cli(['export', '--account', 'nobody', '--endpoint', dynamo.endpoint]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no watched account with id nobody');
  });
});
