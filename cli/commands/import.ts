import { InvalidInputError } from '../../core/errors.ts';
import { parseFleet } from '../../core/explain/index.ts';
import { type Account, type Fleet, type FleetAccount, isTikTokHandle } from '../../core/model.ts';
import { forEachLimited } from '../../core/poll-accounts.ts';
import { type Command, readArgs, UsageError } from '../command.ts';
import { readInput } from '../read-input.ts';
import {
  openStore,
  parseStoreConnection,
  STORE_OPTIONS,
  type StoreConnection,
  storeUsage,
} from '../store-connection.ts';

/** Accounts imported at once; each account's polls go in order. */
const ACCOUNTS_AT_ONCE = 4;

/** `likewatch import`: loads a `likewatch.fleet/v1` document into a store. */
export const importCommand: Command = {
  name: 'import',
  summary: 'Load a fleet document (likewatch.fleet/v1) into the store',
  usage: [
    'likewatch import FLEET.json|- (--endpoint URL | --table NAME)',
    '',
    '  FLEET.json       a likewatch.fleet/v1 document; - reads it from stdin',
    ...storeUsage(),
    '',
    'Polls are stored by their instant: importing the same file twice changes nothing. Accounts not in the',
    'store yet are added as watched Display API accounts; a different handle is recorded as a rename.',
    'Imported polls are kept for the raw-poll retention counted from the import.',
  ].join('\n'),
  async run(args) {
    const { file, connection } = parseOptions(args);
    const fleet = parseFleetFile(file, await readInput(file));
    const summary = await importFleet(fleet, connection);
    console.error(
      `Imported ${summary.polls} polls of ${fleet.accounts.length} accounts (${summary.newAccounts} new)` +
        (summary.sameInstant > 0
          ? `; ${summary.sameInstant} polls shared an instant with a later one and were replaced by it`
          : ''),
    );
    return 0;
  },
};

async function importFleet(fleet: Fleet, connection: StoreConnection) {
  const { store, close } = openStore(connection);
  const summary = { polls: 0, newAccounts: 0, sameInstant: 0 };
  try {
    const existing = new Map((await store.listAccounts()).map((account) => [account.id, account]));
    await forEachLimited(fleet.accounts, ACCOUNTS_AT_ONCE, async (entry) => {
      const known = existing.get(entry.id);
      const lastSeen = new Date(entry.polls.at(-1)?.at ?? Date.now());
      if (!known) {
        await store.putAccount(newAccount(entry));
        summary.newAccounts += 1;
      } else if (known.handle !== entry.handle) {
        await store.recordHandle(entry.id, entry.handle, lastSeen);
      }
      // In time order, so each day is rolled up once, as it would be by the poller.
      const polls = [...entry.polls].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      for (const poll of polls) await store.putPoll(entry.id, poll.at, poll);
      // No later poll may come to roll up the last days: roll them up now, and the months they finish.
      const last = polls.at(-1);
      if (last) await store.rollUpThrough(entry.id, last.at.slice(0, 10));
      summary.polls += polls.length;
      summary.sameInstant += polls.length - new Set(polls.map((poll) => Date.parse(poll.at))).size;
    });
    return summary;
  } finally {
    close();
  }
}

/** An account the store has not seen: watched from its first poll, through the Display API. */
function newAccount(entry: FleetAccount): Account {
  return {
    platform: entry.platform,
    id: entry.id,
    handle: entry.handle,
    source: 'display_api',
    status: 'active',
    addedAt: entry.polls[0]?.at ?? new Date().toISOString(),
  };
}

function parseFleetFile(file: string, text: string): Fleet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  let fleet: Fleet;
  try {
    fleet = parseFleet(json);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  // Checked before anything is stored: a fleet with a bad handle is refused whole, naming each one.
  const bad = fleet.accounts.flatMap((entry, index) =>
    isTikTokHandle(entry.handle)
      ? []
      : [`accounts[${index}] (id ${entry.id}): handle ${JSON.stringify(entry.handle)}`],
  );
  if (bad.length > 0) {
    throw new UsageError(
      `${file}: not a TikTok username (2–24 letters, digits, _ or ., not ending with .): ${bad.join('; ')}`,
    );
  }
  return fleet;
}

function parseOptions(args: string[]): { file: string; connection: StoreConnection } {
  const { values, positionals } = readArgs(args, STORE_OPTIONS, { positionals: 1 });
  const [file] = positionals;
  if (file === undefined) throw new UsageError('missing FLEET.json (or - for stdin)');
  return { file, connection: parseStoreConnection(values) };
}
