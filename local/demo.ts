/**
 * The main job on the embedded default: two simulated weeks of polls for a handful of demo accounts, then the
 * morning digest, all through the real handlers against embedded DynamoDB, SES and a fake TikTok.
 *
 * Primary course:
 * 1. Start the embedded services around a simulated world in which one account suffers a like drop on the
 *    last night.
 * 2. Register the demo accounts (with their OAuth tokens) and subscribers.
 * 3. Advance the simulated clock poll slot by poll slot, invoking the poll handler with the schedule's event.
 * 4. Invoke the digest handler for the last morning; the emails go through the local SES API.
 * 5. Read the emails back from SES and write them as .eml and .html files.
 */
import { createDocumentClient } from '../adapters/aws-clients.ts';
import { DynamoDbStore } from '../adapters/dynamodb-store.ts';
import type { Account, Subscriber } from '../core/model.ts';
import type { PollRunSummary } from '../core/poll-accounts.ts';
import type { DigestRunSummary } from '../core/send-digests.ts';
import { createDemoWorld, type WorldAccountInfo } from '../core/simulate/world.ts';
import { DAY_MS, HOUR_MS, localDateAndHour } from '../core/time.ts';
import { loadLocalFunctions } from './invoke.ts';
import { type DeliveredEmail, readDeliveredEmails } from './local-ses.ts';
import { type LocalServices, startLocalServices } from './services.ts';

/** Options of the demo run. */
export interface DemoOptions {
  /** The morning the digest is sent for (end of the simulated fortnight). */
  asOf: Date;
  seed: number;
  days: number;
  pollEveryHours: number;
  /** Progress lines as the run goes. */
  onProgress: (message: string) => void;
}

/** What the demo did. */
export interface DemoResult {
  services: LocalServices;
  accounts: Account[];
  subscribers: Subscriber[];
  polls: PollRunSummary & { runs: number };
  digests: DigestRunSummary;
  emails: DeliveredEmail[];
  dropAccount: Account;
}

/** Demo subscribers: who follows which demo accounts (by index), where they live, what they want on quiet nights. */
const DEMO_SUBSCRIBERS = [
  { id: 'sub-maya', email: 'maya@example.com', timeZone: 'Europe/London', follows: 'drop-and-one' },
  { id: 'sub-agency', email: 'team@agency.example', timeZone: 'America/New_York', follows: 'all' },
  { id: 'sub-quiet', email: 'kenji@example.net', timeZone: 'Asia/Tokyo', follows: 'others' },
] as const;

/** Runs the demo; the caller closes `result.services` (or keeps them for `--serve`). */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { asOf, onProgress } = options;
  const firstSlot = new Date(asOf.getTime() - options.days * DAY_MS);
  const demo = createDemoWorld({
    seed: options.seed,
    start: new Date(firstSlot.getTime() - DAY_MS),
    end: asOf,
  });
  let simulatedNow = firstSlot;

  onProgress('Starting embedded DynamoDB, SES and TikTok…');
  const services = await startLocalServices({ world: demo.world, now: () => simulatedNow });
  try {
    const functions = await loadLocalFunctions(services.env);
    const store = new DynamoDbStore(createDocumentClient(), {
      tableName: services.env.TABLE_NAME as string,
    });

    const accounts = await registerAccounts(store, services, demo.world.accounts, firstSlot);
    const dropAccount = accounts.find((account) => account.id === demo.dropAccountId) as Account;
    const subscribers = await registerSubscribers(store, accounts, dropAccount, asOf);
    onProgress(
      `Registered ${accounts.length} accounts (${accounts.map((a) => `@${a.handle}`).join(', ')}) and ${subscribers.length} subscribers`,
    );

    const polls = { runs: 0, accounts: 0, ok: 0, partial: 0, failed: 0, needsReauthorization: 0 };
    const slots = Math.round((options.days * 24) / options.pollEveryHours);
    for (let index = 0; index <= slots; index++) {
      simulatedNow = new Date(firstSlot.getTime() + index * options.pollEveryHours * HOUR_MS);
      const run = await functions.poll({ kind: 'poll', scheduledTime: simulatedNow.toISOString() });
      polls.runs += 1;
      polls.accounts += run.accounts;
      polls.ok += run.ok;
      polls.partial += run.partial;
      polls.failed += run.failed;
      polls.needsReauthorization += run.needsReauthorization;
      // Report once per simulated day: after the last slot that falls inside it.
      const day = Math.floor((index * options.pollEveryHours) / 24);
      const nextDay = Math.floor(((index + 1) * options.pollEveryHours) / 24);
      if (nextDay !== day && day < options.days) {
        onProgress(
          `Polled day ${day + 1}/${options.days} (${polls.accounts} account polls so far)`,
        );
      }
    }
    onProgress(
      `Polled the morning of the digest: ${polls.accounts} account polls in ${polls.runs} poll runs`,
    );

    onProgress(`Sending the digest for the morning of ${asOf.toISOString()}…`);
    const digests = await functions.sendDigests({
      kind: 'digest',
      scheduledTime: asOf.toISOString(),
    });
    const emails = await readDeliveredEmails(services.sesEndpoint);
    return { services, accounts, subscribers, polls, digests, emails, dropAccount };
  } catch (error) {
    await services.close();
    throw error;
  }
}

async function registerAccounts(
  store: DynamoDbStore,
  services: LocalServices,
  infos: readonly WorldAccountInfo[],
  addedAt: Date,
): Promise<Account[]> {
  const accounts: Account[] = [];
  for (const info of infos) {
    const account: Account = {
      platform: 'tiktok',
      id: info.id,
      handle: info.handle,
      source: 'display_api',
      status: 'active',
      addedAt: addedAt.toISOString(),
    };
    await store.putAccount(account);
    await store.putCredentials(account.id, {
      accessToken: services.tiktok.issueToken(account.id),
      scope: 'user.info.basic,user.info.profile,user.info.stats,video.list',
    });
    accounts.push(account);
  }
  return accounts;
}

async function registerSubscribers(
  store: DynamoDbStore,
  accounts: Account[],
  dropAccount: Account,
  asOf: Date,
): Promise<Subscriber[]> {
  const others = accounts.filter((account) => account.id !== dropAccount.id);
  const subscribers: Subscriber[] = DEMO_SUBSCRIBERS.map((demo) => {
    const followed =
      demo.follows === 'all'
        ? accounts
        : demo.follows === 'others'
          ? others
          : [dropAccount, ...others.slice(0, 1)];
    return {
      id: demo.id,
      email: demo.email,
      timeZone: demo.timeZone,
      // Each demo subscriber's delivery hour is the local hour of the demo morning, so all are due at once.
      deliveryHour: localDateAndHour(asOf, demo.timeZone).hour,
      quietNights: 'all_clear',
      accountIds: followed.map((account) => account.id),
    };
  });
  for (const subscriber of subscribers) await store.putSubscriber(subscriber);
  return subscribers;
}
