import { z } from 'zod';
import { createDemoWorld } from '../../core/simulate/world.ts';
import { DAY_MS } from '../../core/time.ts';
import { FakeTikTok } from '../../local/fake-tiktok/server.ts';
import { type Command, readArgs, validateOptions } from '../command.ts';

const Options = z.object({
  port: z.coerce.number().int().min(0).max(65_535),
  seed: z.coerce.number().int().nonnegative(),
});

/** `likewatch fake-tiktok`: the fake TikTok alone, on the wall clock, for trying sources and faults by hand. */
export const fakeTikTokCommand: Command = {
  name: 'fake-tiktok',
  summary:
    'Run the fake TikTok (Display API, Research API, web pages) alone, with switchable faults',
  usage: [
    'likewatch fake-tiktok [--port N] [--seed N]',
    '',
    '  --port N   port on 127.0.0.1 (default: 0, a free port)',
    '  --seed N   seed of the simulated accounts (default: 1)',
    '',
    'The simulated accounts run on the wall clock (their history starts 15 days ago). It prints the app',
    'credentials and a token per account, then serves until Ctrl-C. Admin endpoints:',
    '  GET    /__admin/accounts         accounts and the client key/secret',
    '  POST   /__admin/grants           {"accountId"} -> a fresh OAuth grant (access + refresh token)',
    '  GET    /__admin/faults           the faults in force',
    '  POST   /__admin/faults           {"kind", "endpoint"?, "accountId"?, "times"?, "delayMs"?, "statusCode"?}',
    '  DELETE /__admin/faults           switch every fault off',
    '  PUT    /__admin/research-quota   {"requestsPerDay", "recordsPerDay"}',
    '  POST   /__admin/rename           {"accountId", "handle"}',
    'Fault kinds: rate_limit, server_error, slow, timeout, truncated_json, malformed_json, challenge_page,',
    'empty_page, empty_list, cursor_loop, missing_page, expired_token, revoked_refresh_token, scope_revoked,',
    'rounded_stats, web_status. Example:',
    '  curl -X POST localhost:N/__admin/faults -d \'{"kind":"rate_limit","endpoint":"/v2/video/list/","times":2}\'',
  ].join('\n'),
  async run(args) {
    const options = parseOptions(args);
    const now = Date.now();
    const { world } = createDemoWorld({
      seed: options.seed,
      start: new Date(now - 15 * DAY_MS),
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
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await tiktok.close();
    return 0;
  },
};

function parseOptions(args: string[]): z.infer<typeof Options> {
  const { values } = readArgs(args, {
    port: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
  });
  return validateOptions(Options, values);
}
