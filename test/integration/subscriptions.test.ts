import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../adapters/aws-clients.ts';
import { createCredentialCipher } from '../../adapters/credential-cipher.ts';
import { DynamoDbStore } from '../../adapters/dynamodb-store.ts';
import { parseSesEvents } from '../../adapters/ses-events.ts';
import { main } from '../../cli/main.ts';
import { createDemoWorld } from '../../core/simulate/world.ts';
import { recordEmailEvents } from '../../core/subscriptions/email-events.ts';
import { type LocalServices, startLocalServices } from '../../local/services.ts';
import {
  type LocalWebServer,
  loadHttpApiFunction,
  startLocalWebServer,
} from '../../local/web-server.ts';

const NOW = new Date('2026-11-24T07:00:00Z');

describe('subscriptions against the embedded services', () => {
  let services: LocalServices;
  let web: LocalWebServer;
  let store: DynamoDbStore;
  const demo = createDemoWorld({ seed: 2, start: new Date(NOW.getTime() - 86_400_000), end: NOW });

  beforeAll(async () => {
    web = await startLocalWebServer();
    services = await startLocalServices({
      world: demo.world,
      now: () => NOW,
      publicBaseUrl: web.url,
    });
    web.serve(await loadHttpApiFunction(services.env));
    store = new DynamoDbStore(createDocumentClient(), {
      tableName: services.env.TABLE_NAME as string,
      credentialCipher: createCredentialCipher(services.env),
    });
  }, 60_000);

  afterAll(async () => {
    await web?.close();
    await services?.close();
  });

  it('should count abuse limits with conditional updates, per window and subject', async () => {
    const at = new Date('2026-11-24T10:15:00Z');
    const results = await Promise.all(
      Array.from({ length: 5 }, () => store.take('test', '203.0.113.9', 3, 3_600, at)),
    );
    expect(results.filter(Boolean)).toHaveLength(3);
    expect(await store.take('test', '203.0.113.10', 3, 3_600, at)).toBe(true);
    expect(
      await store.take('test', '203.0.113.9', 3, 3_600, new Date('2026-11-24T11:00:00Z')),
    ).toBe(true);
  });

  it('should accept a single-use id once, even when raced', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () => store.use('race-1', new Date(NOW.getTime() + 60_000))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('should find subscribers by address, case-insensitively, and forget removed ones', async () => {
    await store.putSubscriber({
      id: 'sub-x',
      email: 'Casey@Example.com',
      timeZone: 'UTC',
      deliveryHour: 7,
      quietNights: 'all_clear',
      accountIds: ['a'],
      status: 'pending',
    });
    expect(await store.findSubscriberId('casey@example.com ')).toBe('sub-x');
    expect(await store.getSubscriber('sub-x')).toMatchObject({ status: 'pending' });
    expect(await store.deleteSubscriber('sub-x')).toBe(true);
    expect(await store.findSubscriberId('casey@example.com')).toBeUndefined();
    expect(await store.deleteSubscriber('sub-x')).toBe(false);
  });

  it('should suppress permanent bounces and complaints from SNS-delivered SES events, and unsubscribe complaints', async () => {
    await store.putSubscriber({
      id: 'sub-c',
      email: 'complains@example.com',
      timeZone: 'UTC',
      deliveryHour: 7,
      quietNights: 'all_clear',
      accountIds: ['a'],
      status: 'active',
    });
    const sns = (message: unknown) => ({
      Records: [{ Sns: { Message: JSON.stringify(message) } }],
    });
    const events = [
      sns({
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bouncedRecipients: [{ emailAddress: 'gone@example.com' }],
        },
      }),
      sns({
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Transient',
          bouncedRecipients: [{ emailAddress: 'full@example.com' }],
        },
      }),
      sns({
        notificationType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: 'complains@example.com' }] },
      }),
      sns({ eventType: 'DeliveryDelay' }),
    ].flatMap((event) => parseSesEvents(event, NOW));
    const summary = await recordEmailEvents({ suppressions: store, subscribers: store }, events);
    expect(summary).toEqual({ suppressed: 2, unsubscribed: 1, ignored: 2 });
    expect(await store.isSuppressed('GONE@example.com')).toBe(true);
    expect(await store.isSuppressed('full@example.com')).toBe(false);
    expect((await store.getSubscriber('sub-c'))?.status).toBe('unsubscribed');
    expect(() => parseSesEvents({ Records: [{ Sns: { Message: '{"nope":1}' } }] }, NOW)).toThrow(
      /not an SES notification/,
    );
  });

  it('should answer 413 to an oversize body through the Node server and API Gateway event', async () => {
    const response = await fetch(new URL('/subscribe', web.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=${'a'.repeat(20_000)}`,
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('should connect an account through the fake TikTok: authorize page, code, token exchange, sealed credentials', async () => {
    const info = demo.world.accounts[1]!;
    const start = await fetch(new URL('/connect/start', web.url), { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location') as string);
    expect(authorize.origin).toBe(services.tiktok.url);
    expect(authorize.searchParams.get('scope')).toBe(
      'user.info.basic,user.info.profile,user.info.stats,video.list',
    );
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] as string;
    // The creator approves on the fake's consent page.
    const consent = new URL('/v2/auth/authorize/consent', services.tiktok.url);
    for (const name of ['client_key', 'redirect_uri', 'state']) {
      consent.searchParams.set(name, authorize.searchParams.get(name) ?? '');
    }
    for (const scope of (authorize.searchParams.get('scope') ?? '').split(',')) {
      consent.searchParams.append('scope', scope);
    }
    consent.searchParams.set('account', info.id);
    consent.searchParams.set('decision', 'allow');
    const back = await fetch(consent, { redirect: 'manual' });
    const callback = new URL(back.headers.get('location') as string);
    expect(callback.pathname).toBe('/connect/callback');
    const done = await fetch(callback, { headers: { cookie } });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain(`@${info.handle}`);
    expect((await store.listAccounts()).find((account) => account.id === info.id)).toMatchObject({
      source: 'display_api',
      status: 'active',
    });
    expect((await store.getCredentials(info.id))?.refreshToken).toMatch(/^rft\./);
    // The same callback again: the state was used.
    expect((await fetch(callback, { headers: { cookie } })).status).toBe(400);
  });

  it('should manage accounts and subscribers from the CLI', async () => {
    const endpoint = ['--endpoint', services.dynamodbEndpoint];
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    const quiet = console.error;
    console.error = () => undefined;
    try {
      expect(
        await main(['accounts', 'add', '--id', 'op-1', '--handle', '@Op.Account', ...endpoint]),
      ).toBe(0);
      expect(await main(['accounts', 'add', '--id', 'op-2', '--handle', 'bad.', ...endpoint])).toBe(
        2,
      );
      expect(
        await main([
          'subscribers',
          'add',
          '--email',
          'ops@example.com',
          '--account',
          '@op.account',
          '--time-zone',
          'Asia/Tokyo',
          '--hour',
          '6',
          ...endpoint,
        ]),
      ).toBe(0);
      expect(
        await main([
          'subscribers',
          'add',
          '--email',
          'x@example.com',
          '--account',
          'op-1',
          '--hour',
          '24',
          ...endpoint,
        ]),
      ).toBe(2);
      lines.length = 0;
      expect(await main(['subscribers', 'list', ...endpoint])).toBe(0);
      const row = lines.find((line) => line.includes('ops@example.com'))?.split('\t') ?? [];
      expect(row.slice(1)).toEqual([
        'ops@example.com',
        'active',
        'Asia/Tokyo',
        '06:00',
        'all_clear',
        'op-1',
      ]);
      expect(await main(['subscribers', 'remove', row[0] as string, ...endpoint])).toBe(0);
      expect(await main(['accounts', 'remove', 'op-1', ...endpoint])).toBe(0);
      expect(await main(['accounts', 'remove', 'op-1', ...endpoint])).toBe(2);
      lines.length = 0;
      expect(await main(['accounts', 'list', ...endpoint])).toBe(0);
      expect(lines.some((line) => line.startsWith('op-1'))).toBe(false);
    } finally {
      console.log = log;
      console.error = quiet;
    }
  });

  it('should remove a subscriber whose id begins with a dash when it is given after --', async () => {
    const endpoint = ['--endpoint', services.dynamodbEndpoint];
    await store.putSubscriber({
      id: '-dashed-id',
      email: 'dashed@example.com',
      timeZone: 'UTC',
      deliveryHour: 7,
      quietNights: 'all_clear',
      accountIds: ['acct-dashed'],
    });
    const quiet = console.error;
    const log = console.log;
    console.error = () => undefined;
    console.log = () => undefined;
    try {
      expect(await main(['subscribers', 'remove', '-dashed-id', ...endpoint])).toBe(2);
      expect(await main(['subscribers', 'remove', ...endpoint, '--', '-dashed-id'])).toBe(0);
    } finally {
      console.error = quiet;
      console.log = log;
    }
    expect(await store.getSubscriber('-dashed-id')).toBeUndefined();
  });
});
