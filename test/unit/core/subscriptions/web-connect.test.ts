/** Connecting a TikTok account: each request from a fresh browser, with exactly the cookies given. */
import { describe, expect, it } from 'vitest';
import { CONNECT_COOKIE } from '../../../../core/subscriptions/web.ts';
import { type App, NOW, setup, sign } from './web-app.ts';

describe('connecting TikTok', () => {
  async function started(app: App, query: Record<string, string> = {}) {
    const response = await app.browser().get('/connect/start', query);
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
    const done = await app
      .browser()
      .get('/connect/callback', { state, code: 'c1', next: 'https://evil.example/' }, cookies);
    expect(done.status).toBe(200);
    expect(done.headers.location).toBeUndefined();
    expect(done.body).toContain('likewatch now reads the stats of @new.creator');
    expect(app.state.accounts.get('open-9')).toMatchObject({
      handle: 'new.creator',
      source: 'display_api',
      status: 'active',
    });
    expect(app.state.credentials.get('open-9')?.accessToken).toBe('act.1');
    const replay = await app.browser().get('/connect/callback', { state, code: 'c1' }, cookies);
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
      const response = await app.browser().get('/connect/callback', query, jar);
      expect(response.status).toBe(400);
    }
    expect(app.state.accounts.has('open-9')).toBe(false);
  });

  it('should store nothing when the creator declines or withholds a needed scope', async () => {
    const app = setup();
    let { state, nonce } = await started(app);
    const declined = await app
      .browser()
      .get('/connect/callback', { state, error: 'access_denied' }, { [CONNECT_COOKIE]: nonce });
    expect(declined.body).toContain('Not connected');
    app.state.authorized = {
      accountId: 'open-9',
      handle: 'x_y',
      credentials: { accessToken: 'a', scope: 'user.info.basic,user.info.profile' },
    };
    ({ state, nonce } = await started(app));
    const partial = await app
      .browser()
      .get('/connect/callback', { state, code: 'c' }, { [CONNECT_COOKIE]: nonce });
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
    const done = await app
      .browser()
      .get('/connect/callback', { state, code: 'c' }, { [CONNECT_COOKIE]: nonce });
    expect(done.status).toBe(502);
    expect(done.body).toContain('not a TikTok username');
    expect(done.body).not.toContain('<img');
    expect(app.state.accounts.has('open-1')).toBe(false);
    expect(app.state.credentials.size).toBe(0);
  });
});
