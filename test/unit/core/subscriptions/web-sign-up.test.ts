/**
 * Signing up: each request kept under its own nonce and confirmed by its own link, the same answer whatever
 * the address's status, and the limits per client network and address.
 */
import { describe, expect, it } from 'vitest';
import {
  confirm,
  formTokenOf,
  lastConfirmToken,
  NOW,
  setup,
  sign,
  signUpForm,
  subscribed,
} from './web-app.ts';

describe('sign-up', () => {
  it('should keep the request under its own nonce and mail a signed, expiring link that names it', async () => {
    const app = setup();
    const response = await app.post('/subscribe', {
      ...signUpForm(),
      formToken: formTokenOf(await app.get('/')),
    });
    expect(response.status).toBe(200);
    expect(response.body).toContain('Check your inbox');
    // Nothing is subscribed until the link is confirmed.
    expect(app.state.subscribers.size).toBe(0);
    const [request] = app.state.signUps.values();
    expect(request).toMatchObject({
      email: 'maya@example.com',
      accountIds: ['acct-1'],
      timeZone: 'Europe/Berlin',
      deliveryHour: 7,
    });
    expect(app.state.sent).toHaveLength(1);
    expect(app.state.sent[0]?.text).toContain(
      '@maya.bakes, every morning at 07:00 (Europe/Berlin)',
    );
    const token = lastConfirmToken(app);
    expect(app.signer.verify(token, 'confirm', NOW)).toEqual({ ok: true, subject: request?.nonce });
    expect(app.signer.verify(token, 'confirm', new Date(NOW.getTime() + 49 * 3_600_000))).toEqual({
      ok: false,
      rejection: 'expired',
    });
  });

  it('should confirm exactly the settings of the link clicked, even when someone else signed the address up again since', async () => {
    const app = setup();
    // The owner signs up, then someone else signs the same address up with other accounts, hour and zone.
    await app.post('/subscribe', { ...signUpForm(), formToken: formTokenOf(await app.get('/')) });
    const ownersLink = lastConfirmToken(app);
    const attacker = app.browser();
    await attacker.post(
      '/subscribe',
      {
        ...signUpForm({
          handles: '@dan_cooks',
          timeZone: 'Pacific/Kiritimati',
          deliveryHour: '3',
        }),
        formToken: formTokenOf(await attacker.get('/')),
      },
      { sourceIp: '198.51.100.66' },
    );
    const attackersLink = lastConfirmToken(app);
    expect(attackersLink).not.toBe(ownersLink);
    // The owner's link shows and confirms the owner's choices.
    const page = await app.get('/confirm', { token: ownersLink });
    expect(page.body).toContain('@maya.bakes every morning at 07:00 (Europe/Berlin)');
    expect((await confirm(app, ownersLink)).body).toContain('You are subscribed');
    const [subscriber] = app.state.subscribers.values();
    expect(subscriber).toMatchObject({
      email: 'maya@example.com',
      accountIds: ['acct-1'],
      deliveryHour: 7,
      timeZone: 'Europe/Berlin',
      status: 'active',
    });
    // The other link says plainly what it would confirm instead.
    expect((await app.get('/confirm', { token: attackersLink })).body).toContain(
      '@dan_cooks every morning at 03:00 (Pacific/Kiritimati)',
    );
    // Clicking the owner's link again changes nothing and says so.
    expect((await confirm(app, ownersLink)).body).toContain('Already confirmed');
    expect(app.state.subscribers.size).toBe(1);
  });

  it('should make one subscriber when two links of a new address are confirmed', async () => {
    const app = setup();
    const formToken = formTokenOf(await app.get('/'));
    await app.post('/subscribe', { ...signUpForm(), formToken });
    const first = lastConfirmToken(app);
    await app.post('/subscribe', { ...signUpForm({ deliveryHour: '9' }), formToken });
    const second = lastConfirmToken(app);
    await Promise.all([confirm(app, first), confirm(app, second)]);
    expect(app.state.subscribers.size).toBe(1);
  });

  it('should not let a link mailed before an unsubscribe subscribe again', async () => {
    const app = setup();
    const id = await subscribed(app);
    // A sign-up of the subscribed address mails its owner a link to switch settings; then they unsubscribe.
    await app.post('/subscribe', { ...signUpForm(), formToken: formTokenOf(await app.get('/')) });
    const link = lastConfirmToken(app);
    app.clock.now = new Date(NOW.getTime() + 60_000);
    const unsubscribe = sign(app, 'unsubscribe', id);
    await app.post('/unsubscribe', {
      token: unsubscribe,
      formToken: formTokenOf(await app.get('/unsubscribe', { token: unsubscribe })),
    });
    // Act
    const again = await confirm(app, link);
    // Assert
    expect(again.status).toBe(410);
    expect(app.state.subscribers.get(id)?.status).toBe('unsubscribed');
  });

  it('should refuse a submission without a valid form token', async () => {
    const app = setup();
    await app.get('/');
    const missing = await app.post('/subscribe', signUpForm());
    const forged = await app.post('/subscribe', {
      ...signUpForm(),
      formToken: sign(app, 'form', 'preferences:x'),
    });
    for (const response of [missing, forged]) {
      expect(response.status).toBe(403);
      expect(response.body).toContain('This form expired or did not come from this site');
    }
    expect(app.state.signUps.size).toBe(0);
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
    expect(response.body).toContain('Not an email address: write one like name@example.com.');
    expect(response.body).toContain('&quot;bad.&quot; is not a TikTok username');
    expect(response.body).toContain('Not a time zone name');
    expect(response.body).toContain('The hour is a whole number from 0 to 23.');
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
    expect(response.body).toContain(
      '@nobody_here is not watched yet: its creator can connect it first (link below the form).',
    );
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
    expect(known.cookies).toEqual(fresh.cookies);
    expect(app.state.subscribers.get(id)).toMatchObject({
      status: 'active',
      accountIds: ['acct-1'],
      deliveryHour: 7,
    });
    const note = app.state.sent.at(-1);
    expect(note?.subject).toBe('You already receive the likewatch digest');
    expect(note?.text).toContain('@dan_cooks, every morning at 03:00 (Europe/Berlin)');
    // Its owner may switch to those settings with the link in the note, and only through it.
    await confirm(app, lastConfirmToken(app));
    expect(app.state.subscribers.get(id)).toMatchObject({
      accountIds: ['acct-2'],
      deliveryHour: 3,
    });
  });

  it('should limit sign-ups per IPv4 address, and per /64 for IPv6', async () => {
    const app = setup();
    const token = formTokenOf(await app.get('/'));
    let counter = 0;
    const statuses = async (ips: string[]) => {
      const seen: number[] = [];
      for (const sourceIp of ips) {
        counter += 1;
        const response = await app.post(
          '/subscribe',
          { ...signUpForm({ email: `person${counter}@example.com` }), formToken: token },
          { sourceIp },
        );
        seen.push(response.status);
      }
      return seen;
    };
    expect(await statuses(Array.from({ length: 11 }, () => '203.0.113.7'))).toEqual([
      ...Array(10).fill(200),
      429,
    ]);
    expect(await statuses(['198.51.100.1'])).toEqual([200]);
    // Eleven addresses of one /64 are one client; the next /64 is another.
    const oneNetwork = Array.from(
      { length: 11 },
      (_, index) => `2001:db8:5:6::${(index + 1).toString(16)}`,
    );
    expect(await statuses(oneNetwork)).toEqual([...Array(10).fill(200), 429]);
    expect(await statuses(['2001:db8:5:7::1'])).toEqual([200]);
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
