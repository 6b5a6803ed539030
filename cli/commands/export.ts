import { z } from 'zod';
import { FLEET_FORMAT, type Fleet, Instant } from '../../core/model.ts';
import { type Command, readArgs, UsageError, validateOptions } from '../command.ts';
import { openStore, parseStoreConnection, STORE_OPTIONS, storeUsage } from '../store-connection.ts';

/** Without --from/--to, everything: the widest range whose instants still sort as keys. */
const EARLIEST = '1970-01-01T00:00:00.000Z';
const LATEST = '9999-12-31T23:59:59.999Z';

const Options = z
  .object({
    accounts: z.array(z.string().min(1)),
    from: Instant.default(EARLIEST),
    to: Instant.default(LATEST),
  })
  .refine((options) => Date.parse(options.from) <= Date.parse(options.to), {
    message: '--from must not be after --to',
    path: ['from'],
  });

/** `likewatch export`: writes the stored history as a `likewatch.fleet/v1` document to stdout. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'Write the stored poll history as a fleet document (likewatch.fleet/v1) to stdout',
  usage: [
    'likewatch export [--account ID ...] [--from INSTANT] [--to INSTANT] (--endpoint URL | --table NAME) > fleet.json',
    '',
    '  --account ID     only this account (repeatable; default: every watched account)',
    '  --from INSTANT   first poll instant, ISO UTC (default: the beginning)',
    '  --to INSTANT     last poll instant, ISO UTC (default: the end)',
    ...storeUsage(),
    '',
    'Where raw polls have expired, the history is thinned to one poll a day (the daily roll-ups).',
  ].join('\n'),
  async run(args) {
    const { options, connection } = parseOptions(args);
    const { store, close } = openStore(connection);
    try {
      const stored = await store.listAccounts();
      const unknown = options.accounts.filter((id) => !stored.some((account) => account.id === id));
      if (unknown.length > 0) {
        throw new UsageError(`--account: no watched account with id ${unknown.join(', ')}`);
      }
      const selected = options.accounts.length
        ? stored.filter((account) => options.accounts.includes(account.id))
        : stored;
      const fleet: Fleet = { format: FLEET_FORMAT, accounts: [] };
      for (const account of selected) {
        fleet.accounts.push({
          platform: account.platform,
          id: account.id,
          handle: account.handle,
          polls: await store.listPolls(account.id, new Date(options.from), new Date(options.to)),
        });
      }
      await new Promise<void>((resolve, reject) =>
        process.stdout.write(`${JSON.stringify(fleet)}\n`, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
      return 0;
    } finally {
      close();
    }
  },
};

function parseOptions(args: string[]) {
  const { values } = readArgs(args, {
    account: { type: 'string', multiple: true },
    from: { type: 'string' },
    to: { type: 'string' },
    ...STORE_OPTIONS,
  });
  const options = validateOptions(Options, { ...values, accounts: values.account ?? [] });
  return { options, connection: parseStoreConnection(values) };
}
