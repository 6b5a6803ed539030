/**
 * Least privilege, checked against what the functions really do: every function runs on the local runtime
 * (polls with faults, a rename and a revoked account, roll-ups over two days, a morning's digests with an SES
 * outage, bounce and complaint events, every page of the subscription flow), one function at a time, behind a
 * proxy that records each DynamoDB request. Each request must be allowed by that function's role as the
 * synthesized template states it (action, table or index, `dynamodb:LeadingKeys`), and each grant must have
 * been used, but for the few named below whose paths this run does not take.
 */

import { Template } from 'aws-cdk-lib/assertions';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../core/time.ts';
import { LOCAL_QUEUE_NAMES } from '../../deployment/fan-out.ts';
import { loadStackConfig } from '../../lib/config.ts';
import { LikewatchStack } from '../../lib/likewatch-stack.ts';
import {
  AS_OF,
  type FaultHarness,
  pollSlots,
  sesError,
  startFaultHarness,
} from '../reliability/harness.ts';
import { appWith, removeScratchApps } from './apps.ts';
import { type PagesClient, pagesClient } from './pages-client.ts';

/** The functions, by the prefix of their role's logical id in the template. */
const ROLES = {
  pollTick: 'PollTickFunctionServiceRole',
  pollWorker: 'PollWorkerFunctionServiceRole',
  digestTick: 'DigestTickFunctionServiceRole',
  digestWorker: 'DigestWorkerFunctionServiceRole',
  sesEvents: 'SubscriptionsSesEventsFunctionServiceRole',
  pages: 'SubscriptionsPagesFunctionServiceRole',
} as const;
type FunctionName = keyof typeof ROLES;

/** Grants this run cannot use, and why: each is checked to exist, so a stale entry fails too. */
const NOT_EXERCISED: Array<{ fn: FunctionName; action: string; partition: string; why: string }> = [
  {
    fn: 'pollWorker',
    action: 'dynamodb:GetItem',
    partition: 'QUOTA#*',
    why: 'the Research API source is off unless enabled',
  },
  {
    fn: 'pollWorker',
    action: 'dynamodb:UpdateItem',
    partition: 'QUOTA#*',
    why: 'the Research API source is off unless enabled',
  },
  {
    fn: 'pollWorker',
    action: 'dynamodb:DeleteItem',
    partition: 'ACCOUNT#*',
    why: 'only a poll over 350 KB replacing a chunked one deletes the old chunks',
  },
  {
    fn: 'pages',
    action: 'dynamodb:BatchGetItem',
    partition: 'ACCOUNT#*',
    why: "the history page reads a night's evidence only for the last week by the real clock, and the harness's nights are on fixed dates",
  },
];

/** One DynamoDB request as the proxy saw it. */
interface Recorded {
  fn: FunctionName;
  action: string;
  index?: string;
  partitions: string[];
}

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string[]>>;
};

/** An item or key in DynamoDB JSON, as far as its partition key goes. */
type KeyJson = { pk?: { S?: string } } | undefined;

/** The parts of a DynamoDB JSON request that name partitions. */
interface RequestJson {
  IndexName?: string;
  ExpressionAttributeValues?: Record<string, { S?: string }>;
  Key?: KeyJson;
  Item?: KeyJson;
  RequestItems?: Record<
    string,
    { Keys?: KeyJson[] } & Array<{
      PutRequest?: { Item: KeyJson };
      DeleteRequest?: { Key: KeyJson };
    }>
  >;
}

/** The partition keys a DynamoDB JSON request names (the `pk` of every key or item it carries). */
function partitionsOf(action: string, body: RequestJson): string[] {
  const pk = (item: KeyJson) => item?.pk?.S ?? '';
  const tables = Object.values(body.RequestItems ?? {});
  switch (action) {
    case 'Query':
      return body.IndexName ? [] : [body.ExpressionAttributeValues?.[':pk']?.S ?? ''];
    case 'PutItem':
      return [pk(body.Item)];
    case 'BatchGetItem':
      return tables.flatMap((entry) => (entry.Keys ?? []).map(pk));
    case 'BatchWriteItem':
      return tables.flatMap((requests) =>
        [...requests].map((request) => pk(request.PutRequest?.Item ?? request.DeleteRequest?.Key)),
      );
    default:
      return [pk(body.Key)];
  }
}

const matches = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(value);

/** Whether `statement` allows `request` (its action, the table or the index, and the leading keys). */
function allows(statement: Statement, request: Recorded): boolean {
  if (statement.Effect !== 'Allow') return false;
  if (![statement.Action].flat().includes(`dynamodb:${request.action}`)) return false;
  const resources = JSON.stringify(statement.Resource);
  const onIndex = resources.includes('/index/');
  if (request.index !== undefined) return onIndex && resources.includes(`/index/${request.index}`);
  if (onIndex || !resources.includes('"Table')) return false;
  const patterns = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
  if (!patterns) return true;
  return request.partitions.every((partition) =>
    patterns.some((pattern) => matches(pattern, partition)),
  );
}

describe('each function’s table access, as it runs on the local runtime', () => {
  let harness: FaultHarness;
  let statements: Record<FunctionName, Statement[]>;
  let pages: PagesClient;
  const recorded: Recorded[] = [];
  let current: FunctionName | undefined;
  /** Runs `work` as `fn`: every DynamoDB request until it settles is that function's. */
  const as = async <T>(fn: FunctionName, work: () => Promise<T>): Promise<T> => {
    current = fn;
    try {
      return await work();
    } finally {
      current = undefined;
    }
  };

  beforeAll(async () => {
    const app = appWith();
    const config = loadStackConfig(app);
    const json = Template.fromStack(
      new LikewatchStack(app, 'likewatch-access', { config }),
    ).toJSON();
    statements = Object.fromEntries(
      Object.entries(ROLES).map(([fn, role]) => {
        const [policy] = Object.entries(
          json.Resources as Record<
            string,
            { Type: string; Properties: { PolicyDocument: { Statement: Statement[] } } }
          >,
        ).filter(
          ([id, resource]) =>
            resource.Type === 'AWS::IAM::Policy' && id.startsWith(`${role}DefaultPolicy`),
        );
        return [fn, policy?.[1].Properties.PolicyDocument.Statement ?? []];
      }),
    ) as Record<FunctionName, Statement[]>;

    // The poll tick as deployed: each tick reads only the minute's accounts, through the index.
    harness = await startFaultHarness({ env: { POLL_TICK_MINUTES: '1' } });
    harness.dynamodb.rule = (request) => {
      if (!current) return 'pass';
      const action = String(request.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
      const body = JSON.parse(request.body || '{}') as RequestJson;
      recorded.push({
        fn: current,
        action,
        ...(body.IndexName ? { index: body.IndexName as string } : {}),
        partitions: partitionsOf(action, body),
      });
      return 'pass';
    };
    pages = await pagesClient(harness);
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    removeScratchApps();
  });

  it('should run every function through its usual work and its rarer paths', async () => {
    const pollTick = await import('../../lambdas/poll-tick/handler.ts');
    const pollWorker = await import('../../lambdas/poll-worker/handler.ts');
    const digestTick = await import('../../lambdas/digest-tick/handler.ts');
    const digestParts = await import('../../lambdas/digest-parts/handler.ts');
    const digestWorker = await import('../../lambdas/digest-worker/handler.ts');
    const sesEvents = await import('../../lambdas/ses-events/handler.ts');
    const drain = (queue: string, worker: (event: SQSEvent) => Promise<unknown>) =>
      harness.services.sqs
        .queue(queue)
        .drain((event) => worker(event) as Promise<SQSBatchResponse>);
    const [renamed, revoked, refreshed] = harness.accounts;
    // Two days of polls (roll-ups at each UTC day's first poll), with a token refresh, a failure healed by a
    // redelivery, a rename and a revoked account.
    const slots = pollSlots(new Date(AS_OF.getTime() - 2 * 24 * HOUR_MS), AS_OF);
    for (const [index, slot] of slots.entries()) {
      harness.setNow(slot);
      harness.services.tiktok.clearFaults();
      if (index === 1)
        harness.services.tiktok.setFault({
          kind: 'expired_token',
          accountId: refreshed!.id,
          times: 1,
        });
      if (index === 2)
        harness.services.tiktok.setFault({ kind: 'server_error', accountId: renamed!.id });
      if (index === 3) harness.services.tiktok.renameAccount(renamed!.id, 'renamed.account');
      if (index === slots.length - 1) {
        harness.services.tiktok.setFault({ kind: 'revoked_refresh_token', accountId: revoked!.id });
      }
      await as('pollTick', () =>
        pollTick.handler({ kind: 'poll', scheduledTime: slot.toISOString() }, context()),
      );
      // Every account's job for the slot, as the ticks at the accounts' own minutes would send them.
      for (const account of harness.accounts) {
        harness.services.sqs
          .queue(LOCAL_QUEUE_NAMES.poll)
          .enqueue(JSON.stringify({ kind: 'poll-account', slot: slot.toISOString(), account }));
      }
      await as('pollWorker', () =>
        drain(LOCAL_QUEUE_NAMES.poll, (event) => pollWorker.handler(event, context())),
      );
    }
    harness.services.tiktok.clearFaults();
    // The morning's digests: SES fails every send of the first hour's run (the claims are given back), and the
    // next hour's tick finds the night stored and sends them.
    let sesFailures = 0;
    for (const hour of [0, 1]) {
      harness.ses.rule =
        hour === 0
          ? () => {
              sesFailures += 1;
              return sesError(500, 'InternalFailure', 'down');
            }
          : undefined;
      const scheduledTime = new Date(AS_OF.getTime() + hour * HOUR_MS).toISOString();
      await as('digestTick', async () => {
        await digestTick.handler({ kind: 'digest', scheduledTime }, context());
        // The part planner runs under the tick's role.
        await drain(LOCAL_QUEUE_NAMES.digestParts, (event) =>
          digestParts.handler(event, context()),
        );
      });
      await as('digestWorker', () =>
        drain(LOCAL_QUEUE_NAMES.digest, (event) => digestWorker.handler(event, context())),
      );
    }
    harness.ses.rule = undefined;
    expect(sesFailures).toBeGreaterThan(0);
    // A bounce and a complaint.
    const [bounced, complained] = harness.subscribers;
    const sns = (message: unknown) => ({
      Records: [{ Sns: { Message: JSON.stringify(message) } }],
    });
    await as('sesEvents', async () => {
      await sesEvents.handler(
        sns({
          eventType: 'Bounce',
          bounce: {
            bounceType: 'Permanent',
            bouncedRecipients: [{ emailAddress: bounced!.email }],
          },
        }),
        context(),
      );
      await sesEvents.handler(
        sns({
          notificationType: 'Complaint',
          complaint: { complainedRecipients: [{ emailAddress: complained!.email }] },
        }),
        context(),
      );
    });
    // Every page of the subscription flow, a new account connected and a known one reconnected.
    // The last account is connected anew: the operator removed it first.
    const fresh = harness.accounts[3]!;
    await harness.store.deleteAccount(fresh.id);
    await as('pages', () => pages.walkThrough([renamed!.id], fresh.id));
    expect(new Set(recorded.map((request) => request.fn))).toEqual(new Set(Object.keys(ROLES)));
  }, 300_000);

  it('should allow every request each function made, and no more than its role grants', () => {
    const denied = recorded.filter(
      (request) => !statements[request.fn].some((statement) => allows(statement, request)),
    );
    expect(denied).toEqual([]);
  });

  it('should grant nothing a function does not use', () => {
    const unused: string[] = [];
    for (const [fn, list] of Object.entries(statements) as Array<[FunctionName, Statement[]]>) {
      for (const statement of list) {
        const actions = [statement.Action]
          .flat()
          .filter((action) => action.startsWith('dynamodb:'));
        const patterns = statement.Condition?.['ForAllValues:StringLike']?.[
          'dynamodb:LeadingKeys'
        ] ?? ['*'];
        for (const action of actions) {
          for (const partition of patterns) {
            const used = recorded.some(
              (request) =>
                request.fn === fn &&
                `dynamodb:${request.action}` === action &&
                (request.index !== undefined ||
                  request.partitions.some((value) => matches(partition, value))),
            );
            const excused = NOT_EXERCISED.some(
              (entry) =>
                entry.fn === fn && entry.action === action && entry.partition === partition,
            );
            if (!used && !excused) unused.push(`${fn} ${action} ${partition}`);
          }
        }
      }
    }
    expect(unused).toEqual([]);
    // Every excuse names a grant that exists.
    for (const entry of NOT_EXERCISED) {
      expect(
        statements[entry.fn].some(
          (statement) =>
            [statement.Action].flat().includes(entry.action) &&
            statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']?.includes(
              entry.partition,
            ),
        ),
        `${entry.fn} ${entry.action} ${entry.partition}`,
      ).toBe(true);
    }
  });

  it('should scope every table statement by leading keys, and give no function a scan or a wildcard', () => {
    for (const list of Object.values(statements)) {
      for (const statement of list.filter((candidate) =>
        [candidate.Action].flat().some((action) => action.startsWith('dynamodb:')),
      )) {
        const onIndex = JSON.stringify(statement.Resource).includes('/index/');
        if (!onIndex)
          expect(
            statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'],
          ).toBeDefined();
        expect(
          [statement.Action].flat().filter((action) => /Scan|\*|Transact|PartiQL/.test(action)),
        ).toEqual([]);
      }
    }
  });
});

/** A Lambda context with the whole timeout ahead. */
function context() {
  return {
    awsRequestId: `access-${Math.random()}`,
    getRemainingTimeInMillis: () => 900_000,
  } as never;
}
