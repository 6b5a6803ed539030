import { z } from 'zod';
import { DAY_MS } from '../../core/time.ts';
import { createDigestDemoWorld } from '../../local/demo-world.ts';
import { FaultKind } from '../../local/fake-tiktok/faults.ts';
import { ReplayTikTok } from '../../local/fake-tiktok/replay.ts';
import { FakeTikTok } from '../../local/fake-tiktok/server.ts';
import { type Command, readArgs, UsageError, validateOptions } from '../command.ts';

const Options = z.object({
  port: z.coerce.number().int().min(0).max(65_535),
  seed: z.coerce.number().int().nonnegative(),
  replay: z.string().min(1).optional(),
});

/** `likewatch fake-tiktok`: the fake TikTok alone, on the wall clock, for trying sources and faults by hand. */
export const fakeTikTokCommand: Command = {
  name: 'fake-tiktok',
  summary:
    'Run the fake TikTok (Display API, Research API, web pages) alone, with switchable faults',
  usage: [
    'likewatch fake-tiktok [--port N] [--seed N | --replay DIR]',
    '',
    '  --port N        port on 127.0.0.1 (default: 0, a free port)',
    '  --seed N        seed of the simulated accounts (default: 1)',
    '  --replay DIR    serve captured answers instead of the simulated world:',
    '                  DIR/<url path without the leading slash>/<n>.json (or .html) answers the n-th',
    '                  request to that path (any method, query string ignored); the last file repeats;',
    '                  an optional <n>.status file holds the HTTP status (default 200)',
    '',
    "The demo's accounts (those `start` registers) run on the wall clock: their history starts 15 days ago",
    "and the demo's events fall in the last two days. It prints the app credentials and a token per account,",
    'then serves until Ctrl-C. Admin endpoints:',
    '  GET    /__admin/accounts         accounts and the client key/secret',
    '  POST   /__admin/grants           {"accountId"} -> a fresh OAuth grant (access + refresh token)',
    '  GET    /__admin/faults           the faults in force',
    '  POST   /__admin/faults           {"kind", "endpoint"?, "accountId"?, "times"?, "delayMs"?, "statusCode"?}',
    '  DELETE /__admin/faults           switch every fault off',
    '  PUT    /__admin/research-quota   {"requestsPerDay", "recordsPerDay"}',
    '  POST   /__admin/rename           {"accountId", "handle"}',
    ...wrap(`Fault kinds: ${FaultKind.options.join(', ')}. Example:`),
    '  curl -X POST localhost:N/__admin/faults -d \'{"kind":"rate_limit","endpoint":"/v2/video/list/","times":2}\'',
  ].join('\n'),
  async run(args) {
    const options = parseOptions(args);
    if (options.replay !== undefined) return replay(options.replay, options.port);
    const now = Date.now();
    // The demo's own accounts (those `start` registers), their last two nights ending now.
    const { world } = createDigestDemoWorld({
      seed: options.seed,
      start: new Date(now - 15 * DAY_MS),
      asOf: new Date(now),
      end: new Date(now + 60 * DAY_MS),
    });
    const tiktok = await FakeTikTok.start({ world, now: () => new Date(), port: options.port });
    console.log(`Fake TikTok at ${tiktok.url}`);
    console.log(`  client key     ${tiktok.client.key}`);
    console.log(`  client secret  ${tiktok.client.secret}`);
    for (const account of world.accounts) {
      const grant = tiktok.issueGrant(account.id);
      console.log(`  @${account.handle} (id ${account.id})`);
      console.log(`    access token   ${grant.access_token}`);
      console.log(`    refresh token  ${grant.refresh_token}`);
      console.log(`    web profile    ${tiktok.url}/@${account.handle}`);
    }
    console.log('Serving until Ctrl-C.');
    await untilStopped();
    await tiktok.close();
    return 0;
  },
};

/** `text` in lines of at most `width` characters, broken at spaces. */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** Serves the captures in `dir` until Ctrl-C. */
async function replay(dir: string, port: number): Promise<number> {
  let tiktok: ReplayTikTok;
  try {
    tiktok = await ReplayTikTok.start(dir, port);
  } catch (error) {
    throw new UsageError(`--replay: ${(error as Error).message}`);
  }
  console.log(`Fake TikTok at ${tiktok.url}`);
  console.log(`  replaying the captures in ${dir}; serving until Ctrl-C.`);
  await untilStopped();
  await tiktok.close();
  return 0;
}

function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

function parseOptions(args: string[]): z.infer<typeof Options> {
  const { values } = readArgs(args, {
    port: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    replay: { type: 'string' },
  });
  return validateOptions(Options, values);
}
