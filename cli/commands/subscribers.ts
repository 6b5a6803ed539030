import { z } from 'zod';
import { randomId } from '../../adapters/random-ids.ts';
import type { Subscriber } from '../../core/model.ts';
import { resolveHandles } from '../../core/subscriptions/sign-up.ts';
import { checkEmail, checkHour, checkTimeZone } from '../../core/subscriptions/validation.ts';
import { type Command, readArgs, UsageError, validateOptions } from '../command.ts';
import { STORE_OPTIONS, storeUsage, withStore } from '../store-connection.ts';

/** What an operator does about an account that is not watched yet. */
const ADD_ACCOUNT_FIRST = 'add it first with `likewatch accounts add`';

/** Wraps one of the pages' field checks as a zod refinement with the same message. */
const checked = <T>(check: (raw: string) => ({ ok: true } & T) | { ok: false; message: string }) =>
  z.string().superRefine((raw, context) => {
    const result = check(raw);
    if (!result.ok) context.addIssue({ code: 'custom', message: result.message });
  });

const AddOptions = z.object({
  email: checked(checkEmail),
  account: z.array(z.string().min(1)).min(1, 'give at least one --account'),
  timeZone: checked(checkTimeZone).default('UTC'),
  hour: checked(checkHour).default('7'),
  quietNights: z.enum(['all_clear', 'skip']).default('all_clear'),
});

/** `likewatch subscribers add|list|remove`: the digest's subscribers, for operators. */
export const subscribersCommand: Command = {
  name: 'subscribers',
  summary: 'Add, list or remove digest subscribers in a store',
  usage: [
    'likewatch subscribers add --email ADDRESS --account ID|@HANDLE ... [--time-zone ZONE] [--hour H]',
    '                          [--quiet-nights all_clear|skip] (--endpoint URL | --table NAME)',
    'likewatch subscribers list (--endpoint URL | --table NAME)',
    'likewatch subscribers remove [--] ID (--endpoint URL | --table NAME)',
    '',
    '  --email ADDRESS      the address; an operator adds it as active (no confirmation email)',
    '  --account ID|@HANDLE a watched account, by id or @username (repeatable)',
    '  --time-zone ZONE     IANA time zone (default: UTC)',
    '  --hour H             local delivery hour 0–23 (default: 7)',
    '  --quiet-nights WHAT  all_clear (default) or skip',
    ...storeUsage(23),
    '',
    '`list` prints full addresses on stdout for the operator; logs never do. An id that begins with `-`',
    '(made before ids stopped doing so) is given after `--`.',
  ].join('\n'),
  async run(args) {
    const [action, ...rest] = args;
    if (action === 'add') {
      const { values } = readArgs(rest, {
        email: { type: 'string' },
        account: { type: 'string', multiple: true },
        'time-zone': { type: 'string' },
        hour: { type: 'string' },
        'quiet-nights': { type: 'string' },
        ...STORE_OPTIONS,
      });
      const options = validateOptions(AddOptions, { ...values, account: values.account ?? [] });
      return withStore(values, async (store) => {
        const accounts = await store.listAccounts();
        const byId = options.account.filter((value) => !value.startsWith('@'));
        const unknownIds = byId.filter((id) => !accounts.some((account) => account.id === id));
        if (unknownIds.length > 0)
          throw new UsageError(`--account: no watched account ${unknownIds.join(', ')}`);
        const handles = options.account
          .filter((value) => value.startsWith('@'))
          .map((value) => value.slice(1).toLowerCase());
        const resolved = resolveHandles(accounts, handles, ADD_ACCOUNT_FIRST);
        if (!resolved.ok) throw new UsageError(`--account: ${resolved.message}`);
        const email = options.email.trim();
        if ((await store.findSubscriberId(email)) !== undefined) {
          throw new UsageError('a subscriber with this address exists already');
        }
        const subscriber: Subscriber = {
          id: randomId(),
          email,
          timeZone: options.timeZone.trim(),
          deliveryHour: Number(options.hour),
          quietNights: options.quietNights,
          accountIds: [...new Set([...byId, ...resolved.accounts.map((account) => account.id)])],
          status: 'active',
        };
        await store.putSubscriber(subscriber);
        console.log(`added ${subscriber.id}`);
        return 0;
      });
    }
    if (action === 'list') {
      const { values } = readArgs(rest, STORE_OPTIONS);
      return withStore(values, async (store) => {
        const subscribers = await store.listSubscribers();
        for (const subscriber of subscribers) {
          console.log(
            [
              subscriber.id,
              subscriber.email,
              subscriber.status ?? 'active',
              subscriber.timeZone,
              `${String(subscriber.deliveryHour).padStart(2, '0')}:00`,
              subscriber.quietNights,
              subscriber.accountIds.join(','),
            ].join('\t'),
          );
        }
        console.error(`${subscribers.length} subscriber(s)`);
        return 0;
      });
    }
    if (action === 'remove') {
      const { values, positionals } = readArgs(rest, STORE_OPTIONS, { positionals: 1 });
      const [id] = positionals;
      if (!id) throw new UsageError('give the id of the subscriber to remove');
      return withStore(values, async (store) => {
        if (!(await store.deleteSubscriber(id))) throw new UsageError(`no subscriber ${id}`);
        console.log(`removed ${id}`);
        return 0;
      });
    }
    throw new UsageError('expected add, list or remove');
  },
};
