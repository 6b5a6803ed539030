import { z } from 'zod';
import { type Account, isTikTokHandle, SourceKind } from '../../core/model.ts';
import { type Command, readArgs, UsageError, validateOptions } from '../command.ts';
import { STORE_OPTIONS, storeUsage, withStore } from '../store-connection.ts';

const AddOptions = z.object({
  id: z.string().min(1, 'the account’s stable id (TikTok open_id)'),
  handle: z
    .string()
    .transform((handle) => handle.replace(/^@/, '').toLowerCase())
    .refine(isTikTokHandle, 'a TikTok username: 2–24 letters, digits, _ or ., not ending with .'),
  source: SourceKind.default('display_api'),
});

/** `likewatch accounts add|list|remove`: the watched accounts, for operators. */
export const accountsCommand: Command = {
  name: 'accounts',
  summary: 'Add, list or remove watched TikTok accounts in a store',
  usage: [
    'likewatch accounts add --id ID --handle HANDLE [--source KIND] (--endpoint URL | --table NAME)',
    'likewatch accounts list (--endpoint URL | --table NAME)',
    'likewatch accounts remove ID (--endpoint URL | --table NAME)',
    '',
    '  --id ID          the account’s stable id (TikTok open_id)',
    '  --handle HANDLE  its current username',
    '  --source KIND    display_api (default), research_api or web; a display_api account is polled once its',
    '                   creator connects it (/connect), until then its polls record needs_reauthorization',
    ...storeUsage(),
  ].join('\n'),
  async run(args) {
    const [action, ...rest] = args;
    if (action === 'add') {
      const { values } = readArgs(rest, {
        id: { type: 'string' },
        handle: { type: 'string' },
        source: { type: 'string' },
        ...STORE_OPTIONS,
      });
      const options = validateOptions(AddOptions, values);
      const account: Account = {
        platform: 'tiktok',
        id: options.id,
        handle: options.handle,
        source: options.source,
        status: 'active',
        addedAt: new Date().toISOString(),
      };
      return withStore(values, async (store) => {
        if ((await store.listAccounts()).some((known) => known.id === account.id)) {
          throw new UsageError(`account ${account.id} is already watched`);
        }
        await store.putAccount(account);
        console.log(`added ${account.id} (@${account.handle}, ${account.source})`);
        return 0;
      });
    }
    if (action === 'list') {
      const { values } = readArgs(rest, STORE_OPTIONS);
      return withStore(values, async (store) => {
        const accounts = await store.listAccounts();
        for (const account of accounts) {
          console.log(
            [
              account.id,
              `@${account.handle}`,
              account.source,
              account.status,
              account.addedAt,
            ].join('\t'),
          );
        }
        console.error(`${accounts.length} account(s)`);
        return 0;
      });
    }
    if (action === 'remove') {
      const { values, positionals } = readArgs(rest, STORE_OPTIONS, { positionals: 1 });
      const [id] = positionals;
      if (!id) throw new UsageError('give the id of the account to remove');
      return withStore(values, async (store) => {
        if (!(await store.deleteAccount(id))) throw new UsageError(`no watched account ${id}`);
        console.log(`removed ${id} (its history expires on its own)`);
        return 0;
      });
    }
    throw new UsageError('expected add, list or remove');
  },
};
