import { describe, expect, it } from 'vitest';
import {
  CONNECT_COOKIE,
  handleWebRequest,
  MAX_BODY_BYTES,
  type WebRequest,
  type WebResponse,
} from '../../../../core/subscriptions/web.ts';
import { account, BASE_URL, memorySubscriptionDeps } from '../../../fakes/subscription-deps.ts';

const NOW = new Date('2026-11-24T10:00:00Z');

function setup() {
  const memory = memorySubscriptionDeps({
    now: () => NOW,
    accounts: [account('acct-1', 'maya.bakes'), account('acct-2', 'dan_cooks')],
  });
  const call = (request: Partial<WebRequest> & { path: string }) =>
    handleWebRequest(memory.deps, {
      method: 'GET',
      query: new URLSearchParams(),
      headers: {},
      body: '',
      bodyBytes: Buffer.byteLength(request.body ?? ''),
      sourceIp: '203.0.113.7',
      cookies: {},
      ...request,
    });
  const get = (path: string, query: Record<string, string> = {}, cookies = {}) =>
    call({ path, query: new URLSearchParams(query), cookies });
  const post = (path: string, form: Record<string, string>, extra: Partial<WebRequest> = {}) => {
    const body = new URLSearchParams(form).toString();
    return call({
      method: 'POST',
      path,
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      ...extra,
    });
  };
  return { ...memory, call, get, post };
}

/** The anti-CSRF token of the form in a rendered page. */
const formTokenOf = (response: WebResponse) =>
  /name="formToken" value="([^"]+)"/.exec(response.body)?.[1] ?? '';

const signUpForm = (overrides: Record<string, string> = {}) => ({
  email: 'maya@example.com',
  handles: '@maya.bakes',
  timeZone: 'Europe/Berlin',
  deliveryHour: '7',
  ...overrides,
});

/** Signs `maya@example.com` up, confirms, and returns the subscriber id. */
async function subscribed(app: ReturnType<typeof setup>): Promise<string> {
  const token = formTokenOf(await app.get('/'));
  await app.post('/subscribe', { ...signUpForm(), formToken: token });
  const maya = [...app.state.subscribers.values()].find((s) => s.email === 'maya@example.com');
  if (!maya) throw new Error('sign-up failed');
  app.state.subscribers.set(maya.id, { ...maya, status: 'active' });
  return maya.id;
}

const sign = (
  app: ReturnType<typeof setup>,
  purpose: Parameters<typeof app.signer.sign>[0],
  subject: string,
  expiresAt = new Date(NOW.getTime() + 3_600_000),
) => app.signer.sign(purpose, subject, expiresAt);

describe('every page', () => {
  it('should carry the security headers, with a CSP that allows no inline script', async () => {
    const app = setup();
    for (const response of [
      await app.get('/'),
      await app.get('/nowhere'),
      await app.get('/confirm'),
    ]) {
      expect(response.headers).toMatchObject({
        'content-security-policy': expect.stringContaining("script-src 'self'"),
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
        'strict-transport-security': expect.stringContaining('max-age='),
      });
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(response.body).not.toMatch(/<script>|<style>| style=/);
    }
  });

  it('should refuse a body over the limit with 413, and other methods with 405', async () => {
    const app = setup();
    const big = await app.call({
      method: 'POST',
      path: '/subscribe',
      body: '',
      bodyBytes: MAX_BODY_BYTES + 1,
    });
    expect(big.status).toBe(413);
    const put = await app.call({ method: 'PUT', path: '/subscribe' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST');
    expect(app.state.subscribers.size).toBe(0);
  });

  it('should serve the time zone script and stylesheet as files', async () => {
    const app = setup();
    const script = await app.get('/assets/time-zone.js');
    expect(script.headers['content-type']).toContain('javascript');
    expect(script.body).toContain('resolvedOptions().timeZone');
    expect((await app.get('/assets/site.css')).body).toContain(':focus-visible');
  });
});

describe('sign-up', () => {
  it('should create a pending subscription and send a signed, expiring confirmation link', async () => {
    const app = setup();
    const page = await app.get('/');
    const response = await app.post('/subscribe', {
      ...signUpForm(),
      formToken: formTokenOf(page),
    });
    expect(response.status).toBe(200);
    expect(response.body).toContain('Check your inbox');
    const [subscriber] = app.state.subscribers.values();
    expect(subscriber).toMatchObject({
      status: 'pending',
      accountIds: ['acct-1'],
      deliveryHour: 7,
    });
    expect(app.state.sent).toHaveLength(1);
    const link = new URL(
      /(https:\/\/\S+\/confirm\?token=\S+)/.exec(app.state.sent[0]?.text ?? '')?.[1] ?? '',
    );
    const check = app.signer.verify(link.searchParams.get('token') ?? '', 'confirm', NOW);
    expect(check).toEqual({ ok: true, subject: subscriber?.id });
    expect(
      app.signer.verify(
        link.searchParams.get('token') ?? '',
        'confirm',
        new Date(NOW.getTime() + 49 * 3_600_000),
      ),
    ).toEqual({ ok: false, rejection: 'expired' });
  });

  it('should refuse a submission without a valid form token', async () => {
    const app = setup();
    const missing = await app.post('/subscribe', signUpForm());
    const forged = await app.post('/subscribe', {
      ...signUpForm(),
      formToken: sign(app, 'form', 'preferences:x'),
    });
    for (const response of [missing, forged]) {
      expect(response.status).toBe(403);
      expect(response.body).toContain('This form expired or did not come from this site');
    }
    expect(app.state.subscribers.size).toBe(0);
  });

  it('should show each invalid field with a helpful message and keep what was typed, escaped', async () => {
    const app = setup();
    const token = formTokenOf(await app.get('/'));
    const response = await app.post('/subscribe', {
      email: '"><script>alert(1)</script>',
      handles: 'ok_name, bad.',
      timeZone: 'Nowhere/Land',
      deliveryHour: '25',
      formToken: token,
    });
    expect(response.status).toBe(400);
    expect(response.body).toContain('Enter an email address like name@example.com.');
    expect(response.body).toContain('&quot;bad.&quot; is not a TikTok username');
    expect(response.body).toContain('Choose a time zone from the list');
    expect(response.body).toContain('Choose an hour between 0 and 23.');
    expect(response.body).toContain('aria-invalid="true"');
    expect(response.body).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(response.body).not.toContain('<script>alert(1)');
    expect(app.state.sent).toHaveLength(0);
  });

  it('should say which usernames are not watched yet', async () => {
    const app = setup();
    const token = formTokenOf(await app.get('/'));
    const response = await app.post('/subscribe', {
      ...signUpForm({ handles: 'maya.bakes nobody_here' }),
      formToken: token,
    });
    expect(response.status).toBe(400);
    expect(response.body).toContain('@nobody_here is not watched yet');
  });

  it('should answer a known address exactly as a new one, and mail its owner instead of changing it', async () => {
    const app = setup();
    const token = formTokenOf(await app.get('/'));
    const fresh = await app.post('/subscribe', {
      ...signUpForm({ email: 'new@example.com' }),
      formToken: token,
    });
    const id = await subscribed(app);
    const known = await app.post('/subscribe', {
      ...signUpForm({ handles: 'dan_cooks', deliveryHour: '3' }),
      formToken: token,
    });
    expect(known.status).toBe(fresh.status);
    expect(known.body).toBe(fresh.body);
    expect(known.headers).toEqual(fresh.headers);
    expect(app.state.subscribers.get(id)).toMatchObject({
      status: 'active',
      accountIds: ['acct-1'],
      deliveryHour: 7,
    });
    expect(app.state.sent.at(-1)?.subject).toBe('You already receive the likewatch digest');
  });

  it('should limit sign-ups per IP address', async () => {
    const app = setup();
    const token = formTokenOf(await app.get('/'));
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      const response = await app.post('/subscribe', {
        ...signUpForm({ email: `p${attempt}@example.com` }),
        formToken: token,
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
    const other = await app.post(
      '/subscribe',
      { ...signUpForm({ email: 'q@example.com' }), formToken: token },
      { sourceIp: '198.51.100.1' },
    );
    expect(other.status).toBe(200);
  });

  it('should send at most three emails a day to one address, behind the same answer', async () => {
    const app = setup();
    const token = formTokenOf(await app.get('/'));
    const bodies = new Set<string>();
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await app.post(
        '/subscribe',
        { ...signUpForm(), formToken: token },
        { sourceIp: `192.0.2.${attempt}` },
      );
      expect(response.status).toBe(200);
      bodies.add(response.body);
    }
    expect(bodies.size).toBe(1);
    expect(app.state.sent).toHaveLength(3);
  });

  it('should never mail a suppressed address', async () => {
    const app = setup();
    app.state.suppressed.set('maya@example.com', 'bounce');
    const token = formTokenOf(await app.get('/'));
    const response = await app.post('/subscribe', { ...signUpForm(), formToken: token });
    expect(response.status).toBe(200);
    expect(app.state.sent).toHaveLength(0);
  });
});

describe('links from emails', () => {
  it('should confirm only through the button, once, and say so the second time', async () => {
    const app = setup();
    await app.post('/subscribe', { ...signUpForm(), formToken: formTokenOf(await app.get('/')) });
    const id = [...app.state.subscribers.keys()][0] as string;
    const token = sign(app, 'confirm', id);
    const page = await app.get('/confirm', { token });
    expect(page.status).toBe(200);
    expect(app.state.subscribers.get(id)?.status).toBe('pending');
    expect((await app.post('/confirm', { token })).status).toBe(403);
    const done = await app.post('/confirm', { token, formToken: formTokenOf(page) });
    expect(done.body).toContain('You are subscribed');
    expect(app.state.subscribers.get(id)?.status).toBe('active');
    const again = await app.post('/confirm', { token, formToken: formTokenOf(page) });
    expect(again.body).toContain('Already confirmed');
  });

  it('should refuse forged, expired and wrong-purpose tokens', async () => {
    const app = setup();
    const id = await subscribed(app);
    const cases: Array<[string, Record<string, string>, number]> = [
      ['/confirm', { token: `${sign(app, 'confirm', id).slice(0, -2)}xx` }, 400],
      ['/confirm', { token: sign(app, 'confirm', id, new Date(NOW.getTime() - 1000)) }, 410],
      ['/confirm', { token: sign(app, 'unsubscribe', id) }, 400],
      ['/preferences', { token: sign(app, 'confirm', id) }, 400],
      ['/preferences', { token: 'garbage' }, 400],
      ['/preferences', { token: sign(app, 'preferences', 'nobody') }, 404],
      ['/unsubscribe', { token: sign(app, 'preferences', id) }, 400],
      ['/feedback', { token: sign(app, 'feedback', 'not/a/feedback/subject'), answer: 'yes' }, 400],
    ];
    for (const [path, query, status] of cases) {
      expect([path, (await app.get(path, query)).status]).toEqual([path, status]);
    }
    const oneClick = await app.call({
      method: 'POST',
      path: '/unsubscribe',
      query: new URLSearchParams({ token: sign(app, 'preferences', id) }),
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(400);
    expect(app.state.subscribers.get(id)?.status).toBe('active');
  });

  it('should change preferences, with messages for bad values and a form token bound to the subscriber', async () => {
    const app = setup();
    const id = await subscribed(app);
    const token = sign(app, 'preferences', id);
    const page = await app.get('/preferences', { token });
    expect(page.body).toContain('@maya.bakes');
    const form = {
      token,
      formToken: formTokenOf(page),
      deliveryHour: '9',
      timeZone: 'Asia/Tokyo',
      quietNights: 'skip',
      account: 'acct-1',
      addHandles: '@dan_cooks',
      paused: 'on',
    };
    const bad = await app.post('/preferences', { ...form, deliveryHour: '30' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Choose an hour between 0 and 23.');
    const otherSubscriberToken = sign(app, 'form', 'preferences:someone-else');
    expect(
      (await app.post('/preferences', { ...form, formToken: otherSubscriberToken })).status,
    ).toBe(403);
    const saved = await app.post('/preferences', form);
    expect(saved.body).toContain('Saved.');
    expect(app.state.subscribers.get(id)).toMatchObject({
      deliveryHour: 9,
      timeZone: 'Asia/Tokyo',
      quietNights: 'skip',
      accountIds: ['acct-1', 'acct-2'],
      status: 'paused',
    });
  });

  it('should not let the preferences form add an account by id that the subscriber did not have', async () => {
    const app = setup();
    const id = await subscribed(app);
    const token = sign(app, 'preferences', id);
    const page = await app.get('/preferences', { token });
    const body = new URLSearchParams({
      token,
      formToken: formTokenOf(page),
      deliveryHour: '7',
      timeZone: 'UTC',
      quietNights: 'all_clear',
    });
    body.append('account', 'acct-1');
    body.append('account', 'acct-2');
    await app.call({ method: 'POST', path: '/preferences', body: body.toString() });
    expect(app.state.subscribers.get(id)?.accountIds).toEqual(['acct-1']);
  });

  it('should unsubscribe at once on an RFC 8058 one-click POST, form-encoded or multipart', async () => {
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click'],
      [
        'multipart/form-data; boundary=b',
        '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n',
      ],
    ] as const) {
      const app = setup();
      const id = await subscribed(app);
      const response = await app.call({
        method: 'POST',
        path: '/unsubscribe',
        query: new URLSearchParams({ token: sign(app, 'unsubscribe', id) }),
        headers: { 'content-type': type },
        body,
      });
      expect(response.status).toBe(200);
      expect(app.state.subscribers.get(id)?.status).toBe('unsubscribed');
    }
  });

  it('should unsubscribe from the page only with its form token', async () => {
    const app = setup();
    const id = await subscribed(app);
    const token = sign(app, 'unsubscribe', id);
    const page = await app.get('/unsubscribe', { token });
    expect(page.body).toContain('<button type="submit">Unsubscribe</button>');
    expect((await app.post('/unsubscribe', { token })).status).toBe(403);
    expect(app.state.subscribers.get(id)?.status).toBe('active');
    expect((await app.post('/unsubscribe', { token, formToken: formTokenOf(page) })).status).toBe(
      200,
    );
    expect(app.state.subscribers.get(id)?.status).toBe('unsubscribed');
  });

  it('should record feedback through the button, against the digest’s local date', async () => {
    const app = setup();
    const id = await subscribed(app);
    const subject = [id, 'acct-1', '2026-11-23T23:00:00Z', 'fake_engagement_purge'].join('/');
    const token = sign(app, 'feedback', subject);
    const page = await app.get('/feedback', { token, answer: 'no' });
    expect(page.status).toBe(200);
    expect(app.state.feedback).toHaveLength(0);
    expect((await app.get('/feedback', { token, answer: 'maybe' })).status).toBe(400);
    const done = await app.post('/feedback', { token, answer: 'no', formToken: formTokenOf(page) });
    expect(done.status).toBe(200);
    // 23:00 UTC is already the next day in Berlin, the subscriber's zone.
    expect(app.state.feedback).toEqual([
      expect.objectContaining({
        subscriberId: id,
        accountId: 'acct-1',
        night: '2026-11-24',
        cause: 'fake_engagement_purge',
        correct: false,
      }),
    ]);
  });
});

describe('connecting TikTok', () => {
  async function started(app: ReturnType<typeof setup>, query: Record<string, string> = {}) {
    const response = await app.get('/connect/start', query);
    const location = new URL(response.headers.location ?? '');
    const nonce = /likewatch_connect=([^;]*)/.exec(response.cookies[0] ?? '')?.[1] ?? '';
    return { response, state: location.searchParams.get('state') ?? '', nonce };
  }

  it('should redirect only to the configured TikTok URL, with a signed state bound to the browser', async () => {
    const app = setup();
    const { response, state, nonce } = await started(app, {
      next: 'https://evil.example/',
      redirect_uri: 'https://evil.example/',
    });
    expect(response.status).toBe(302);
    expect(response.headers.location).toMatch(
      /^https:\/\/www\.tiktok\.com\/v2\/auth\/authorize\/\?/,
    );
    expect(response.headers.location).not.toContain('evil');
    expect(app.signer.verify(state, 'connect', NOW)).toEqual({ ok: true, subject: nonce });
    expect(response.cookies[0]).toMatch(/HttpOnly; SameSite=Lax; Secure$/);
  });

  it('should register the account with sealed credentials, then refuse the same state again', async () => {
    const app = setup();
    app.state.authorized = {
      accountId: 'open-9',
      handle: 'new.creator',
      credentials: {
        accessToken: 'act.1',
        scope: 'user.info.basic,user.info.profile,user.info.stats,video.list',
      },
    };
    const { state, nonce } = await started(app);
    const cookies = { [CONNECT_COOKIE]: nonce };
    const done = await app.get(
      '/connect/callback',
      { state, code: 'c1', next: 'https://evil.example/' },
      cookies,
    );
    expect(done.status).toBe(200);
    expect(done.headers.location).toBeUndefined();
    expect(done.body).toContain('likewatch now reads the stats of @new.creator');
    expect(app.state.accounts.get('open-9')).toMatchObject({
      handle: 'new.creator',
      source: 'display_api',
      status: 'active',
    });
    expect(app.state.credentials.get('open-9')?.accessToken).toBe('act.1');
    const replay = await app.get('/connect/callback', { state, code: 'c1' }, cookies);
    expect(replay.status).toBe(400);
  });

  it('should refuse a missing, forged, expired, wrong-purpose or other-browser state', async () => {
    const app = setup();
    app.state.authorized = {
      accountId: 'open-9',
      handle: 'x_y',
      credentials: { accessToken: 'a', scope: 'user.info.profile,user.info.stats,video.list' },
    };
    const { state, nonce } = await started(app);
    const cookies = { [CONNECT_COOKIE]: nonce };
    const expired = sign(app, 'connect', nonce, new Date(NOW.getTime() - 1));
    const wrongPurpose = sign(app, 'form', nonce);
    for (const [query, jar] of [
      [{ code: 'c' }, cookies],
      [{ state: `${state}x`, code: 'c' }, cookies],
      [{ state: expired, code: 'c' }, cookies],
      [{ state: wrongPurpose, code: 'c' }, cookies],
      [{ state, code: 'c' }, {}],
      [{ state, code: 'c' }, { [CONNECT_COOKIE]: 'someone-else' }],
    ] as const) {
      const response = await app.get('/connect/callback', query, jar);
      expect(response.status).toBe(400);
    }
    expect(app.state.accounts.has('open-9')).toBe(false);
  });

  it('should store nothing when the creator declines or withholds a needed scope', async () => {
    const app = setup();
    let { state, nonce } = await started(app);
    const declined = await app.get(
      '/connect/callback',
      { state, error: 'access_denied' },
      { [CONNECT_COOKIE]: nonce },
    );
    expect(declined.body).toContain('Not connected');
    app.state.authorized = {
      accountId: 'open-9',
      handle: 'x_y',
      credentials: { accessToken: 'a', scope: 'user.info.basic,user.info.profile' },
    };
    ({ state, nonce } = await started(app));
    const partial = await app.get(
      '/connect/callback',
      { state, code: 'c' },
      { [CONNECT_COOKIE]: nonce },
    );
    expect(partial.status).toBe(400);
    expect(partial.body).toContain('user.info.stats, video.list');
    expect(app.state.credentials.size).toBe(0);
  });

  it('should refuse a username from TikTok that breaks TikTok’s rules, and store nothing', async () => {
    const app = setup();
    app.state.authorized = {
      accountId: 'open-1',
      handle: '"><img src=x onerror=alert(1)>\r\n\u202Ex',
      credentials: { accessToken: 'a', scope: 'user.info.profile,user.info.stats,video.list' },
    };
    const { state, nonce } = await started(app);
    const done = await app.get(
      '/connect/callback',
      { state, code: 'c' },
      { [CONNECT_COOKIE]: nonce },
    );
    expect(done.status).toBe(502);
    expect(done.body).toContain('not a TikTok username');
    expect(done.body).not.toContain('<img');
    expect(app.state.accounts.has('open-1')).toBe(false);
    expect(app.state.credentials.size).toBe(0);
  });
});

describe('stored handles on the pages', () => {
  it('should render a handle stored before the rules were checked without CR, LF or bidi overrides, escaped', async () => {
    const app = setup();
    app.state.accounts.set(
      'acct-3',
      account('acct-3', '"><img src=x>\r\nBcc: x@evil.example\u202Etxt'),
    );
    const id = await subscribed(app);
    app.state.subscribers.set(id, {
      ...app.state.subscribers.get(id)!,
      accountIds: ['acct-1', 'acct-3'],
    });
    const page = await app.get('/preferences', { token: sign(app, 'preferences', id) });
    expect(page.status).toBe(200);
    expect(page.body).toContain('@&quot;&gt;&lt;img src=x&gt; Bcc: x@evil.example txt');
    expect(page.body).not.toMatch(/[\r\u202E]/);
    expect(page.body).not.toContain('<img');
  });
});

it('should keep the base URL the links point at', () => {
  expect(BASE_URL.endsWith('/')).toBe(true);
});
