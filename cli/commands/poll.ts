import { asSourceFailure } from '../../adapters/tiktok/http.ts';
import { MemoryQuotaLedger } from '../../adapters/tiktok/research-quota.ts';
import { createStatsSources } from '../../adapters/tiktok/stats-sources.ts';
import { countOf, formatCount } from '../../core/explain/format.ts';
import {
  type Account,
  FLEET_FORMAT,
  Fleet,
  type Poll,
  type SourceKind,
  type VideoStats,
} from '../../core/model.ts';
import { pollAccount, prepareSource } from '../../core/poll-accounts.ts';
import type { CredentialVault, SourceCredentials } from '../../core/ports.ts';
import { PollWorkerEnv, sourceSettingsOf } from '../../lambdas/_shared/env.ts';
import { type Command, readArgs, UsageError, validateOptions } from '../command.ts';
import { PollOptions, type PollRequest, TIKTOK_UNREACHABLE } from './poll-options.ts';

/** `likewatch poll`: one account, polled once through the poll worker's own sources. */
export const pollCommand: Command = {
  name: 'poll',
  summary: 'Poll one TikTok account once, as the poll worker does, and print the poll',
  usage: [
    'likewatch poll HANDLE_OR_ID --source display_api|research_api|web [--base-url URL]',
    '               [--access-token T] [--client-key K --client-secret S] [--json]',
    '',
    '  HANDLE_OR_ID     display_api: the account’s open_id (the account its token belongs to);',
    '                   research_api and web: its username (@ optional)',
    '  --source KIND    which source reads it',
    '  --base-url URL   TikTok’s address (default: TikTok itself; e.g. the fake or a replay)',
    '  --access-token T display_api: the creator’s access token',
    '  --client-key K, --client-secret S',
    '                   the app’s credentials: required for research_api; for display_api they let an',
    '                   expired token be refreshed (the refreshed token is printed, not stored)',
    '  --json           write a likewatch.fleet/v1 document with the one account and its one poll',
    '',
    'Exit codes: 0 a poll was read (ok or partial), 1 the poll failed or TikTok could not be reached,',
    '2 bad arguments.',
  ].join('\n'),
  async run(args) {
    const request = parseRequest(args);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const vault = new CommandLineVault(request);
    const env = PollWorkerEnv.omit({ TABLE_NAME: true }).parse({
      ENABLED_SOURCES: request.source,
      ...(request.baseUrl
        ? { TIKTOK_API_BASE_URL: request.baseUrl, TIKTOK_WEB_BASE_URL: request.baseUrl }
        : {}),
    });
    const sources = createStatsSources({
      ...sourceSettingsOf(env),
      ...(request.client ? { client: request.client } : {}),
      credentials: vault,
      ledger: new MemoryQuotaLedger(),
    });
    const source = sources[request.source];
    if (!source) throw new Error(`the ${request.source} source was not built`);

    let account: Account;
    try {
      account = await accountOf(request, sources.web);
    } catch (error) {
      const failure = asSourceFailure(error);
      if (TIKTOK_UNREACHABLE.has(failure.reason)) return unreachable(request, failure.message);
      console.error(`likewatch poll: @${request.account}: ${failure.reason} (${failure.message})`);
      return 1;
    }
    await prepareSource(source, [account], at);
    const outcome = await pollAccount(source, account, at);
    const { poll } = outcome;
    if (poll.status === 'failed' && TIKTOK_UNREACHABLE.has(poll.reason ?? 'network_error')) {
      return unreachable(request, poll.detail ?? poll.reason ?? 'no answer');
    }
    const handle = outcome.handle ?? account.handle;
    if (request.json) {
      const fleet = Fleet.parse({
        format: FLEET_FORMAT,
        accounts: [{ platform: 'tiktok', id: account.id, handle, polls: [poll] }],
      });
      console.log(JSON.stringify(fleet, null, 2));
    } else {
      console.log(formatPoll({ ...account, handle }, poll));
      if (vault.refreshed) console.log(`  the access token was refreshed: ${vault.refreshed}`);
    }
    return poll.status === 'failed' ? 1 : 0;
  },
};

function parseRequest(args: string[]): PollRequest {
  const { values, positionals } = readArgs(
    args,
    {
      source: { type: 'string' },
      'base-url': { type: 'string' },
      'access-token': { type: 'string' },
      'client-key': { type: 'string' },
      'client-secret': { type: 'string' },
      json: { type: 'boolean' },
    },
    { positionals: 1 },
  );
  const [account] = positionals;
  if (account === undefined)
    throw new UsageError('missing HANDLE_OR_ID (a username, or an open_id)');
  return validateOptions(PollOptions, { ...values, account });
}

/**
 * The account to poll. Web pages are looked up by username but checked against the account's id, so the id
 * is read from the profile page first, as `likewatch accounts add` would be given it.
 */
async function accountOf(
  request: PollRequest,
  web: ReturnType<typeof createStatsSources>['web'],
): Promise<Account> {
  const base = {
    platform: 'tiktok' as const,
    source: request.source,
    status: 'active' as const,
    addedAt: new Date().toISOString(),
  };
  if (request.source === 'web' && web) {
    const found = await web.identify(request.account);
    return { ...base, ...found };
  }
  return { ...base, id: request.account, handle: request.account };
}

function unreachable(request: PollRequest, detail: string): number {
  const where = request.baseUrl ?? 'TikTok';
  console.error(`likewatch poll: could not reach ${where}: ${detail}`);
  return 1;
}

/** The credentials given on the command line; a refresh is kept for this run only and reported. */
class CommandLineVault implements CredentialVault {
  refreshed: string | undefined;
  private credentials: SourceCredentials | undefined;

  constructor(request: PollRequest) {
    if (request.accessToken) this.credentials = { accessToken: request.accessToken };
  }

  async getCredentials(): Promise<SourceCredentials | undefined> {
    return this.credentials;
  }

  async getManyCredentials(accountIds: readonly string[]): Promise<Map<string, SourceCredentials>> {
    const credentials = this.credentials;
    return new Map(credentials ? accountIds.map((id) => [id, credentials]) : []);
  }

  async putCredentials(_accountId: string, credentials: SourceCredentials): Promise<void> {
    this.credentials = credentials;
    this.refreshed = credentials.accessToken;
  }
}

const SOURCE_NAMES: Record<SourceKind, string> = {
  display_api: 'Display API',
  research_api: 'Research API',
  web: 'web pages',
};

/** A poll as a person reads it: status and reason, the profile, then each video. */
export function formatPoll(account: Account, poll: Poll): string {
  const head = `@${account.handle} (id ${account.id}) via the ${SOURCE_NAMES[account.source]} at ${poll.at}: ${poll.status}`;
  if (poll.status === 'failed') {
    return `${head} (${poll.reason ?? 'no reason'})${poll.detail ? `: ${poll.detail}` : ''}`;
  }
  const flags = [
    poll.rounded ? 'counts may be rounded' : '',
    poll.archived ? 'archived counts' : '',
  ]
    .filter(Boolean)
    .join(', ');
  const lines = [
    `${head}${poll.status === 'partial' ? ` (${poll.reason ?? 'incomplete'})` : ''}${flags ? ` — ${flags}` : ''}`,
  ];
  if (poll.status === 'partial' && poll.detail) lines.push(`  ${poll.detail}`);
  lines.push(
    poll.profile
      ? `  profile: ${countOf(poll.profile.followers, 'follower')}, ${formatCount(poll.profile.following)} following, ${countOf(poll.profile.likes, 'like')}, ${countOf(poll.profile.videos, 'video')}`
      : '  profile: unknown',
  );
  lines.push(`  ${countOf(poll.videos.length, 'video')}:`);
  for (const video of poll.videos) lines.push(`    ${formatVideo(video)}`);
  if (poll.status === 'partial') {
    for (const item of poll.rejected ?? []) {
      lines.push(
        `    left out: ${item.video ? `video ${item.video}` : 'profile'}, ${item.field} ${item.problem}`,
      );
    }
  }
  return lines.join('\n');
}

function formatVideo(video: VideoStats): string {
  const saves = video.saves == null ? '' : `, ${countOf(video.saves, 'save')}`;
  return `${video.id}  posted ${video.postedAt}: ${countOf(video.views, 'view')}, ${countOf(video.likes, 'like')}, ${countOf(video.comments, 'comment')}, ${countOf(video.shares, 'share')}${saves}`;
}
