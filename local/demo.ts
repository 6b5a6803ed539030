/**
 * The main job on the embedded default: two simulated weeks of polls for a handful of demo accounts, then the
 * morning digests, all through the real handlers against embedded DynamoDB, SES and a fake TikTok.
 *
 * Primary course:
 * 1. Start the embedded services around a simulated world (`demo-world.ts`) whose last two nights exercise
 *    every part of the digest: a purge on both nights, a dip that comes back, a shadow ban, an account whose
 *    TikTok access is revoked, ordinary accounts.
 * 2. Register the demo accounts (with their OAuth tokens) and subscribers.
 * 3. Advance the simulated clock poll slot by poll slot, invoking the poll tick with the schedule's event; its
 *    jobs go through the embedded SQS to the poll workers, as in AWS. Revoke one account's access during the
 *    last day.
 * 4. Invoke the digest tick for the morning before the last (so the last morning's digests can follow up on
 *    what it reported), then for the last morning; its jobs go through the embedded SQS to the digest workers,
 *    and the emails through the local SES API.
 * 5. Read the emails back from SES and write them as .eml and .html files.
 */
import { createDocumentClient } from '../adapters/aws-clients.ts';
import { createCredentialCipher } from '../adapters/credential-cipher.ts';
import { DynamoDbStore } from '../adapters/dynamodb-store.ts';
import type { Account, SourceKind, Subscriber } from '../core/model.ts';
import {
  addPollRun,
  emptyPollSummary,
  forEachLimited,
  type PollRunSummary,
} from '../core/poll-accounts.ts';
import type { DigestRunSummary } from '../core/send-digests.ts';
import type { WorldAccountInfo } from '../core/simulate/world.ts';
import { DAY_MS, HOUR_MS, localDateAndHour } from '../core/time.ts';
import { createDigestDemoWorld, DEMO_SUBSCRIBERS } from './demo-world.ts';
import type { FakeTokenResponse, GrantOptions } from './fake-tiktok/grants.ts';
import { type LocalFunctions, loadLocalFunctions } from './invoke.ts';
import { type DeliveredEmail, readDeliveredEmails } from './local-ses.ts';
import { type LocalServices, startLocalServices } from './services.ts';

/** Options of the demo run. */
export interface DemoOptions {
  /** The morning the digest is sent for (end of the simulated fortnight). */
  asOf: Date;
  seed: number;
  days: number;
  pollEveryHours: number;
  /** Where the demo accounts' stats come from (every kind is served by the fake TikTok). @default display_api */
  source?: SourceKind;
  /** Progress lines as the run goes. */
  onProgress: (message: string) => void;
  /** Base URL of the subscription pages, for the links in the digests (`--serve` passes its server's). */
  publicBaseUrl?: string;
}

/** The demo world, polled up to the last morning, with the first morning's digests sent. */
export interface PreparedDemo {
  services: LocalServices;
  /** The store the handlers use (the embedded table). */
  store: DynamoDbStore;
  functions: LocalFunctions;
  accounts: Account[];
  subscribers: Subscriber[];
  polls: PollRunSummary & { runs: number };
  /** The morning before the last one, and its digests (which the last morning's follow up on). */
  previousMorning: Date;
  previousDigests: DigestRunSummary;
  previousEmails: DeliveredEmail[];
  dropAccount: Account;
}

/** What the demo did. */
export interface DemoResult extends PreparedDemo {
  /** The last morning's digests. */
  digests: DigestRunSummary;
  emails: DeliveredEmail[];
}

/** The latest 07:00 UTC at or before `now`: the demo's default morning, whose night is fully in the past. */
export function latestDemoMorning(now: Date): Date {
  const today7 = Math.floor(now.getTime() / DAY_MS) * DAY_MS + 7 * HOUR_MS;
  return new Date(today7 <= now.getTime() ? today7 : today7 - DAY_MS);
}

/** Runs the demo; the caller closes `result.services` (or keeps them for `--serve`). */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const prepared = await prepareDemo(options);
  try {
    const { asOf } = options;
    options.onProgress(`Sending the digests for the morning of ${asOf.toISOString()}…`);
    const digests = await prepared.functions.sendDigests({
      kind: 'digest',
      scheduledTime: asOf.toISOString(),
    });
    const earlier = new Set(prepared.previousEmails.map((email) => email.messageId));
    const emails = (await readDeliveredEmails(prepared.services.sesEndpoint)).filter(
      (email) => !earlier.has(email.messageId),
    );
    return { ...prepared, digests, emails };
  } catch (error) {
    await prepared.services.close();
    throw error;
  }
}

/**
 * Everything up to the last morning's digests: services, accounts, subscribers, two weeks of polls, and the
 * previous morning's digests. `likewatch digest --demo` previews the last morning from here without sending.
 */
export async function prepareDemo(options: DemoOptions): Promise<PreparedDemo> {
  const { asOf, onProgress } = options;
  const firstSlot = new Date(asOf.getTime() - options.days * DAY_MS);
  const previousMorning = new Date(asOf.getTime() - DAY_MS);
  const demo = createDigestDemoWorld({
    seed: options.seed,
    start: new Date(firstSlot.getTime() - DAY_MS),
    asOf,
  });
  let simulatedNow = firstSlot;

  onProgress('Starting embedded DynamoDB, SES and TikTok…');
  const services = await startLocalServices({
    world: demo.world,
    now: () => simulatedNow,
    sources: [options.source ?? 'display_api'],
    ...(options.publicBaseUrl ? { publicBaseUrl: options.publicBaseUrl } : {}),
  });
  // The poll worker stores titles once a day at its cadence, as deployed.
  services.env.POLL_EVERY_HOURS = String(options.pollEveryHours);
  try {
    const functions = await loadLocalFunctions(services);
    const store = new DynamoDbStore(createDocumentClient(), {
      tableName: services.env.TABLE_NAME as string,
      // The same key the poll function opens the demo accounts' tokens with.
      credentialCipher: createCredentialCipher(services.env),
    });

    const source = options.source ?? 'display_api';
    const accounts = await registerAccounts(
      store,
      services.tiktok,
      demo.world.accounts,
      firstSlot,
      source,
    );
    const dropAccount = accounts.find((account) => account.id === demo.dropAccountId) as Account;
    const subscribers = await registerSubscribers(store, asOf);
    onProgress(
      `Registered ${accounts.length} accounts (${accounts.map((a) => `@${a.handle}`).join(', ')}) and ${subscribers.length} subscribers`,
    );

    const polls = emptyPollSummary();
    let pollRuns = 0;
    let previous: { digests: DigestRunSummary; emails: DeliveredEmail[] } | undefined;
    let revoked = false;
    const slots = Math.round((options.days * 24) / options.pollEveryHours);
    for (let index = 0; index <= slots; index++) {
      simulatedNow = new Date(firstSlot.getTime() + index * options.pollEveryHours * HOUR_MS);
      // The first morning's tick runs once every poll up to that morning is stored.
      if (previous === undefined && simulatedNow.getTime() > previousMorning.getTime()) {
        onProgress(`Sending the digests for the morning of ${previousMorning.toISOString()}…`);
        previous = await sendAndRead(functions, services, previousMorning);
      }
      if (!revoked && simulatedNow.getTime() >= demo.revokeAt.getTime()) {
        // The creator withdraws likewatch's access in TikTok: the access token is refused and the grant
        // behind it can no longer be renewed, so only the creator reconnecting can bring the account back.
        await store.putCredentials(demo.revokedAccountId, {
          accessToken: 'act.revoked-by-the-creator',
          refreshToken: 'rft.revoked-by-the-creator',
          refreshTokenExpiresAt: '2000-01-01T00:00:00Z',
          scope: 'user.info.basic,user.info.profile,user.info.stats,video.list',
        });
        revoked = true;
      }
      const run = await functions.poll({ kind: 'poll', scheduledTime: simulatedNow.toISOString() });
      pollRuns += 1;
      addPollRun(polls, run);
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
      `Polled the morning of the digest: ${polls.accounts} account polls in ${pollRuns} poll runs`,
    );
    previous ??= await sendAndRead(functions, services, previousMorning);
    return {
      services,
      store,
      functions,
      accounts,
      subscribers,
      polls: { ...polls, runs: pollRuns },
      previousMorning,
      previousDigests: previous.digests,
      previousEmails: previous.emails,
      dropAccount,
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}

/** Runs the digest tick for `morning` and reads back every email SES has received so far. */
async function sendAndRead(
  functions: LocalFunctions,
  services: LocalServices,
  morning: Date,
): Promise<{ digests: DigestRunSummary; emails: DeliveredEmail[] }> {
  const digests = await functions.sendDigests({
    kind: 'digest',
    scheduledTime: morning.toISOString(),
  });
  return { digests, emails: await readDeliveredEmails(services.sesEndpoint) };
}

/**
 * Registers `infos` as accounts read through `source`, as connecting them would: for the Display API, each with
 * the grant the fake TikTok issues on the creator's consent (at `addedAt`, unless `grantOptions` says when),
 * sealed by the store's credential cipher. Up to `concurrency` accounts are written at once (the demo's handful
 * goes one by one; benchmarks register thousands). Returns the accounts in the order of `infos`.
 */
export async function registerAccounts(
  store: DynamoDbStore,
  tiktok: {
    issueGrant(
      accountId: string,
      options?: GrantOptions,
    ): FakeTokenResponse | Promise<FakeTokenResponse>;
  },
  infos: readonly WorldAccountInfo[],
  addedAt: Date,
  source: SourceKind,
  concurrency = 1,
  /** Lifetimes of each account's Display API grant. @default the fake's (24-hour access tokens) */
  grantOptions?: (account: Account) => GrantOptions,
): Promise<Account[]> {
  const accounts: Account[] = infos.map((info) => ({
    platform: 'tiktok',
    id: info.id,
    handle: info.handle,
    source,
    status: 'active',
    addedAt: addedAt.toISOString(),
  }));
  await forEachLimited(accounts, concurrency, async (account) => {
    await store.putAccount(account);
    if (source === 'display_api') {
      // What the creator's OAuth consent yields. Lifetimes run on the simulated clock, from the consent, as the
      // poller judges them from each slot: it refreshes the access token before it runs out (rotating the
      // refresh token) about once a simulated day.
      const options = grantOptions?.(account) ?? {};
      const issuedAtMs = options.issuedAtMs ?? addedAt.getTime();
      const grant = await tiktok.issueGrant(account.id, { ...options, issuedAtMs });
      await store.putCredentials(account.id, {
        accessToken: grant.access_token,
        accessTokenExpiresAt: new Date(issuedAtMs + grant.expires_in * 1000).toISOString(),
        refreshToken: grant.refresh_token,
        refreshTokenExpiresAt: new Date(
          issuedAtMs + (grant.refresh_expires_in ?? 0) * 1000,
        ).toISOString(),
        scope: grant.scope,
      });
    }
  });
  return accounts;
}

async function registerSubscribers(store: DynamoDbStore, asOf: Date): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = DEMO_SUBSCRIBERS.map(({ role: _role, ...subscriber }) => ({
    ...subscriber,
    // Each demo subscriber's delivery hour is the local hour of the demo morning, so all are due at once.
    deliveryHour: localDateAndHour(asOf, subscriber.timeZone).hour,
  }));
  for (const subscriber of subscribers) await store.putSubscriber(subscriber);
  return subscribers;
}
