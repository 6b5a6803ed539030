/**
 * The fault harness shared by the reliability suites: the local runtime (embedded DynamoDB, SES, SQS and the
 * fake TikTok, with the real handlers) around a small simulated world that has no like loss at all, HTTP
 * proxies in front of DynamoDB and SES that inject faults at the wire, the invariants every fault must leave
 * intact, and a ledger of what was injected and found, written under `out/reliability/` for
 * `scripts/reliability-report.ts`.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createCredentialCipher } from '../../adapters/credential-cipher.ts';
import { DynamoDbStore } from '../../adapters/dynamodb-store.ts';
import { explainFleet } from '../../core/explain/index.ts';
import { type Account, FLEET_FORMAT, type Fleet, type Subscriber } from '../../core/model.ts';
import {
  type AccountScenario,
  createWorld,
  type SimulatedWorld,
} from '../../core/simulate/world.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import { registerAccounts } from '../../local/demo.ts';
import { type LocalFunctions, loadLocalFunctions } from '../../local/invoke.ts';
import { type DeliveredEmail, readDeliveredEmails } from '../../local/local-ses.ts';
import { type LocalServices, startLocalServices } from '../../local/services.ts';

// --- Wire-level faults -------------------------------------------------------------------------------------

/** What a proxy does with one request: pass it on, cut the connection, or answer in the service's place. */
export type ProxyVerdict =
  | 'pass'
  | 'reset'
  | { status: number; headers?: Record<string, string>; body: string };

/** A request as the proxy's fault rule sees it. */
export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * An HTTP proxy in front of an embedded service. `stop()` closes its port, so clients get ECONNREFUSED exactly
 * as from a stopped server, and `start()` listens again on the same port; the service behind it keeps its
 * data. That is why an outage is modelled here rather than by restarting dynalite: dynalite in memory would
 * come back empty, which is a lost database, not an unavailable one (DynamoDB's outages lose no data).
 */
export class FaultProxy {
  /** Requests that a fault rule answered or cut. */
  faulted = 0;
  /** Decides each request's fate; `pass` when unset. */
  rule: ((request: ProxiedRequest) => ProxyVerdict) | undefined;
  private server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(private readonly target: URL) {
    this.server = this.createServer();
  }

  /** Starts a proxy to `target` on a free loopback port. */
  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(target));
    await proxy.start();
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens (again) on the proxy's port. */
  async start(): Promise<void> {
    this.server = this.createServer();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Closes the port and every open connection: the service is unreachable until `start()`. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private createServer(): Server {
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        const verdict =
          this.rule?.({
            method: incoming.method ?? 'GET',
            url: incoming.url ?? '/',
            headers: incoming.headers,
            body: body.toString('utf8'),
          }) ?? 'pass';
        if (verdict === 'reset') {
          this.faulted += 1;
          incoming.socket.destroy();
          return;
        }
        if (verdict !== 'pass') {
          this.faulted += 1;
          outgoing.writeHead(verdict.status, verdict.headers).end(verdict.body);
          return;
        }
        const upstream = httpRequest(
          {
            host: this.target.hostname,
            port: this.target.port,
            method: incoming.method,
            path: incoming.url,
            headers: incoming.headers,
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        upstream.on('error', () => incoming.socket.destroy());
        upstream.end(body);
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }
}

/** An SES API error as the SESv2 REST JSON protocol carries it. */
export function sesError(status: number, type: string, message: string): ProxyVerdict {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    body: JSON.stringify({ message }),
  };
}

// --- The world and the runtime -----------------------------------------------------------------------------

/** The morning whose digest the suites send; polls run every `POLL_EVERY_HOURS` before it. */
export const AS_OF = new Date('2026-11-24T07:00:00Z');
export const POLL_EVERY_HOURS = 6;

/** A running local runtime with faults at hand. */
export interface FaultHarness {
  services: LocalServices;
  functions: LocalFunctions;
  /** Reads the table directly (not through the proxy), so checks work during an outage. */
  store: DynamoDbStore;
  world: SimulatedWorld;
  accounts: Account[];
  subscribers: Subscriber[];
  dynamodb: FaultProxy;
  ses: FaultProxy;
  /** Sets the simulated instant the fake TikTok shows. */
  setNow(at: Date): void;
  close(): Promise<void>;
}

function scenario(index: number): AccountScenario {
  const handle = ['ava.bakes', 'ben.dances', 'cleo.travels', 'dan.codes'][index] as string;
  return {
    id: `71000000000000000${index + 1}0`,
    handle,
    displayName: handle,
    initialVideos: 30,
    postingIntervalHours: 36,
    medianViews: [20_000, 60_000, 12_000, 35_000][index] as number,
    likeRate: 0.07,
    followers: 15_000,
  };
}

/**
 * Starts the local runtime around a four-account world without any like-loss event, with the handlers'
 * DynamoDB and SES traffic going through fault proxies, the accounts connected and three subscribers who
 * want a digest every morning at 07:00 UTC.
 */
export async function startFaultHarness(
  options: { env?: Record<string, string> } = {},
): Promise<FaultHarness> {
  const world = createWorld({
    seed: 11,
    start: new Date(AS_OF.getTime() - 5 * DAY_MS),
    end: new Date(AS_OF.getTime() + DAY_MS),
    accounts: [0, 1, 2, 3].map(scenario),
  });
  let now = new Date(AS_OF.getTime() - 3 * DAY_MS);
  const services = await startLocalServices({ world, now: () => now });
  const dynamodb = await FaultProxy.start(services.dynamodbEndpoint);
  const ses = await FaultProxy.start(services.sesEndpoint);
  Object.assign(services.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    // A hung TikTok request gives up fast, so a night of faults replays in seconds.
    TIKTOK_TIMEOUT_MS: '400',
    // The failures logged here are the injected ones; the assertions, not the logs, say what survived.
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POLL_EVERY_HOURS: String(POLL_EVERY_HOURS),
    ...options.env,
  });
  const functions = await loadLocalFunctions(services);
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: services.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const store = new DynamoDbStore(doc, {
    tableName: services.env.TABLE_NAME as string,
    credentialCipher: createCredentialCipher(services.env),
  });
  // Watched since the world began; connected (their grants issued) as the harness's clock starts.
  const connectedAtMs = now.getTime();
  const accounts = await registerAccounts(
    store,
    services.tiktok,
    world.accounts,
    world.start,
    'display_api',
    1,
    () => ({ issuedAtMs: connectedAtMs }),
  );
  const subscribers: Subscriber[] = ['ines', 'jon', 'kai'].map((name, index) => ({
    id: `sub-${name}`,
    email: `${name}@example.com`,
    timeZone: 'UTC',
    deliveryHour: 7,
    // An all-clear on quiet nights too, so every due subscriber means exactly one email.
    quietNights: 'all_clear',
    accountIds: accounts.slice(index, index + 2).map((account) => account.id),
    status: 'active',
  }));
  for (const subscriber of subscribers) await store.putSubscriber(subscriber);
  return {
    services,
    functions,
    store,
    world,
    accounts,
    subscribers,
    dynamodb,
    ses,
    setNow: (at) => {
      now = at;
    },
    close: async () => {
      await dynamodb.stop();
      await ses.stop();
      await services.close();
    },
  };
}

/** The poll slots from `from` through `to`, `POLL_EVERY_HOURS` apart. */
export function pollSlots(from: Date, to: Date): Date[] {
  const slots: Date[] = [];
  for (let at = from.getTime(); at <= to.getTime(); at += POLL_EVERY_HOURS * HOUR_MS) {
    slots.push(new Date(at));
  }
  return slots;
}

/** {@link startFaultHarness}, with every slot of the two days up to `AS_OF` polled: a morning ready to mail. */
export async function startPolledHarness(
  options: Parameters<typeof startFaultHarness>[0] = {},
): Promise<FaultHarness> {
  const harness = await startFaultHarness(options);
  for (const slot of pollSlots(new Date(AS_OF.getTime() - 2 * DAY_MS), AS_OF)) {
    await pollSlot(harness, slot);
  }
  return harness;
}

/** Polls one slot through the tick and workers, with the fake TikTok's clock at the slot. */
export async function pollSlot(harness: FaultHarness, slot: Date) {
  harness.setNow(slot);
  return harness.functions.poll({ kind: 'poll', scheduledTime: slot.toISOString() });
}

// --- Invariants ------------------------------------------------------------------------------------------

/** What the invariants found over some slots: every figure but `polls` must be zero. */
export interface PollAudit {
  polls: number;
  /** (account, slot) pairs with neither a stored poll nor a recorded failure. */
  missing: number;
  /** Stored polls beyond one per (account, slot). */
  duplicates: number;
  /** Accounts the engine calls a loss, in a world that lost no like. */
  falseLosses: number;
}

/**
 * Checks the stored polls of `slots`: exactly one per account and slot (a `failed` poll with its reason
 * counts: it is the recorded failure), and no loss reported by the engine over the night ending at the last
 * slot (the world has none).
 */
export async function auditPolls(
  harness: FaultHarness,
  slots: readonly Date[],
): Promise<PollAudit> {
  const first = slots[0] as Date;
  const last = slots[slots.length - 1] as Date;
  const audit: PollAudit = { polls: 0, missing: 0, duplicates: 0, falseLosses: 0 };
  const fleet: Fleet = { format: FLEET_FORMAT, accounts: [] };
  for (const account of harness.accounts) {
    const polls = await harness.store.listPolls(
      account.id,
      new Date(first.getTime() - 2 * DAY_MS),
      last,
    );
    fleet.accounts.push({ platform: 'tiktok', id: account.id, handle: account.handle, polls });
    const inRange = polls.filter((poll) => Date.parse(poll.at) >= first.getTime());
    audit.polls += inRange.length;
    const perSlot = new Map<number, number>();
    for (const poll of inRange) {
      perSlot.set(Date.parse(poll.at), (perSlot.get(Date.parse(poll.at)) ?? 0) + 1);
    }
    for (const slot of slots) {
      const count = perSlot.get(slot.getTime()) ?? 0;
      if (count === 0) audit.missing += 1;
      if (count > 1) audit.duplicates += count - 1;
    }
  }
  audit.falseLosses = explainFleet(fleet, { asOf: last }).accounts.filter(
    (account) => account.verdict === 'loss',
  ).length;
  return audit;
}

/** Emails the local SES received, per recipient, since the `before` snapshot of message ids. */
export async function emailsPerRecipient(
  harness: FaultHarness,
  before: ReadonlySet<string> = new Set(),
): Promise<Map<string, DeliveredEmail[]>> {
  const byRecipient = new Map<string, DeliveredEmail[]>();
  for (const email of await readDeliveredEmails(harness.services.sesEndpoint)) {
    if (before.has(email.messageId)) continue;
    for (const to of email.to) byRecipient.set(to, [...(byRecipient.get(to) ?? []), email]);
  }
  return byRecipient;
}

/** The message ids the local SES holds now, to count only later emails. */
export async function deliveredIds(harness: FaultHarness): Promise<Set<string>> {
  return new Set(
    (await readDeliveredEmails(harness.services.sesEndpoint)).map((email) => email.messageId),
  );
}

// --- The ledger ----------------------------------------------------------------------------------------------

/** One measured scenario or property, as `docs/RELIABILITY.md` reports it. */
export interface LedgerEntry {
  suite: 'faults' | 'concurrency' | 'fuzz' | 'security';
  name: string;
  /** Faults injected: fault switches, proxied requests cut or answered, runs killed. */
  faultsInjected?: number;
  /** Generated inputs run through a property. */
  inputsFuzzed?: number;
  duplicates: number;
  losses: number;
  /** Anything else measured (polls checked, emails counted…). */
  details?: Record<string, number>;
}

const LEDGER_DIR = join(process.cwd(), 'out', 'reliability');

/**
 * Records measured figures for the report. Each suite file writes its own JSON file, so suites running in
 * parallel workers never write the same file.
 */
export function createLedger(file: string) {
  const entries: LedgerEntry[] = [];
  /** The machine's 1-minute load averages when the entries were recorded: the suites must hold on a busy one. */
  const loadAverages: number[] = [];
  return {
    record(entry: LedgerEntry): void {
      entries.push(entry);
      loadAverages.push(Number(loadavg()[0]?.toFixed(2)));
      mkdirSync(LEDGER_DIR, { recursive: true });
      writeFileSync(
        join(LEDGER_DIR, `${file}.json`),
        `${JSON.stringify({ measuredAt: new Date().toISOString(), cores: availableParallelism(), loadAverages, entries }, null, 2)}\n`,
      );
    },
  };
}
