/**
 * Cross-site refusal of every state-changing form: a page on another site cannot push a form through a
 * visitor's browser, whatever token it fetched earlier; RFC 8058 one-click unsubscribes still work from anywhere.
 */
import { describe, expect, it } from 'vitest';
import { formCookieName } from '../../../../core/subscriptions/web.ts';
import { BASE_URL } from '../../../fakes/subscription-deps.ts';
import { formTokenOf, setup, sign, signUpForm, subscribed } from './web-app.ts';

describe('forms sent from another site', () => {
  it('should refuse a sign-up whose Origin is another site, or that says it is cross-site, with a token fetched earlier', async () => {
    const app = setup();
    const formToken = formTokenOf(await app.get('/'));
    const attempts: Array<Record<string, string>> = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'https://likewatch.example.com.evil.example', 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of attempts) {
      const response = await app.post('/subscribe', { ...signUpForm(), formToken }, { headers });
      expect([headers, response.status]).toEqual([headers, 403]);
      expect(response.body).toContain('sent from another website');
    }
    expect(app.state.signUps.size).toBe(0);
    expect(app.state.sent).toHaveLength(0);
    // The same browser from the site itself goes through.
    const own = await app.post('/subscribe', { ...signUpForm(), formToken });
    expect(own.status).toBe(200);
  });

  it('should refuse a form token that was fetched by another browser (no cookie, or another cookie)', async () => {
    const app = setup();
    const attacker = app.browser();
    const formToken = formTokenOf(await attacker.get('/'));
    const victim = app.browser();
    const withoutCookie = await victim.post('/subscribe', { ...signUpForm(), formToken });
    await victim.get('/');
    const otherCookie = await victim.post('/subscribe', { ...signUpForm(), formToken });
    for (const response of [withoutCookie, otherCookie]) {
      expect(response.status).toBe(403);
      expect(response.body).toContain('This form expired or did not come from this site');
    }
    expect(app.state.signUps.size).toBe(0);
  });

  it('should set the form cookie once, HttpOnly, SameSite=Strict, host-only and Secure over HTTPS', async () => {
    const app = setup();
    const first = await app.get('/');
    expect(first.cookies).toEqual([
      expect.stringMatching(
        /^__Host-likewatch_form=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Secure$/,
      ),
    ]);
    expect(formCookieName({ baseUrl: BASE_URL })).toBe('__Host-likewatch_form');
    expect(formCookieName({ baseUrl: 'http://127.0.0.1:8080/' })).toBe('likewatch_form');
    // A browser that has it keeps it: no new cookie, so two open tabs keep working.
    expect((await app.get('/')).cookies).toEqual([]);
    // Pages without a form set none.
    expect((await app.browser().get('/connect')).cookies).toEqual([]);
  });

  it('should refuse every other state-changing form from another site too', async () => {
    const app = setup();
    const id = await subscribed(app);
    const preferences = sign(app, 'preferences', id);
    const unsubscribe = sign(app, 'unsubscribe', id);
    const feedback = sign(
      app,
      'feedback',
      [id, 'acct-1', '2026-11-23T23:00:00Z', 'platform_glitch'].join('/'),
    );
    const evil = { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } };
    const forms: Array<[string, Record<string, string>]> = [
      [
        '/preferences',
        {
          token: preferences,
          formToken: formTokenOf(await app.get('/preferences', { token: preferences })),
          deliveryHour: '3',
          timeZone: 'UTC',
          quietNights: 'skip',
          account: 'acct-1',
        },
      ],
      [
        '/unsubscribe',
        {
          token: unsubscribe,
          formToken: formTokenOf(await app.get('/unsubscribe', { token: unsubscribe })),
        },
      ],
      [
        '/feedback',
        {
          token: feedback,
          answer: 'yes',
          formToken: formTokenOf(await app.get('/feedback', { token: feedback, answer: 'yes' })),
        },
      ],
    ];
    for (const [path, form] of forms) {
      expect([path, (await app.post(path, form, evil)).status]).toEqual([path, 403]);
    }
    expect(app.state.subscribers.get(id)).toMatchObject({ status: 'active', deliveryHour: 7 });
    expect(app.state.feedback).toEqual([]);
  });

  it('should accept an RFC 8058 one-click unsubscribe from anywhere, without cookie or form token', async () => {
    const app = setup();
    const id = await subscribed(app);
    const response = await app.browser().call({
      method: 'POST',
      path: '/unsubscribe',
      query: new URLSearchParams({ token: sign(app, 'unsubscribe', id) }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://mail.provider.example',
        'sec-fetch-site': 'cross-site',
      },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    expect(app.state.subscribers.get(id)?.status).toBe('unsubscribed');
  });
});
