/** The links in emails: confirm, preferences, unsubscribe, feedback, and what their pages show. */
import { describe, expect, it } from 'vitest';
import { account } from '../../../fakes/subscription-deps.ts';
import {
  formTokenOf,
  lastConfirmToken,
  NOW,
  setup,
  sign,
  signUpForm,
  subscribed,
} from './web-app.ts';

describe('links from emails', () => {
  it('should confirm only through the button, once, and say so the second time', async () => {
    const app = setup();
    await app.post('/subscribe', { ...signUpForm(), formToken: formTokenOf(await app.get('/')) });
    const token = lastConfirmToken(app);
    const page = await app.get('/confirm', { token });
    expect(page.status).toBe(200);
    expect(app.state.subscribers.size).toBe(0);
    expect((await app.post('/confirm', { token })).status).toBe(403);
    const done = await app.post('/confirm', { token, formToken: formTokenOf(page) });
    expect(done.body).toContain('You are subscribed');
    const [subscriber] = app.state.subscribers.values();
    expect(subscriber?.status).toBe('active');
    const again = await app.post('/confirm', { token, formToken: formTokenOf(page) });
    expect(again.body).toContain('Already confirmed');
  });

  it('should refuse forged, expired and wrong-purpose tokens', async () => {
    const app = setup();
    const id = await subscribed(app);
    const cases: Array<[string, Record<string, string>, number]> = [
      ['/confirm', { token: `${sign(app, 'confirm', id).slice(0, -2)}xx` }, 400],
      ['/confirm', { token: sign(app, 'confirm', id, new Date(NOW.getTime() - 1000)) }, 410],
      ['/confirm', { token: sign(app, 'confirm', 'no-such-sign-up') }, 410],
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
    const oneClick = await app.browser().call({
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
    expect(bad.body).toContain('The hour is a whole number from 0 to 23.');
    const unknown = await app.post('/preferences', { ...form, addHandles: '@nobody_here' });
    expect(unknown.status).toBe(400);
    // This page has no connect link: the message sends the creator to the sign-up page, which has one.
    expect(unknown.body).toContain(
      '@nobody_here is not watched yet: its creator can connect it first from the sign-up page.',
    );
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
      const response = await app.browser().call({
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
