/** What every page shares: security headers, method and size limits, the static files. */
import { describe, expect, it } from 'vitest';
import {
  handleWebRequest,
  MAX_BODY_BYTES,
  type WebRequest,
} from '../../../../core/subscriptions/web.ts';
import { account, memorySubscriptionDeps } from '../../../fakes/subscription-deps.ts';
import { setup } from './web-app.ts';

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
        'referrer-policy': 'same-origin',
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
    expect(app.state.signUps.size).toBe(0);
  });

  it('should serve the time zone script and stylesheet as files', async () => {
    const app = setup();
    const script = await app.get('/assets/time-zone.js');
    expect(script.headers['content-type']).toContain('javascript');
    expect(script.body).toContain('resolvedOptions().timeZone');
    expect((await app.get('/assets/site.css')).body).toContain(':focus-visible');
  });

  it('should work under a path (an API Gateway stage): every link, form, file, cookie and mailed link under it', async () => {
    const { deps, state } = memorySubscriptionDeps({
      baseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/site/',
      accounts: [account('acct-1', 'maya.bakes')],
    });
    const request = (path: string, extra: Partial<WebRequest> = {}): WebRequest => ({
      method: 'GET',
      path,
      query: new URLSearchParams(),
      headers: {},
      body: '',
      bodyBytes: 0,
      sourceIp: '203.0.113.7',
      cookies: {},
      ...extra,
    });
    const signUp = await handleWebRequest(deps, request('/'));
    const connect = await handleWebRequest(deps, request('/connect/start'));
    // Every relative link resolves against the page's <base>, which is the site's path.
    expect(signUp.body).toContain('<base href="/site/">');
    const base = new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/site/');
    const targets = [...signUp.body.matchAll(/(?:href|src|action)="([^"]+)"/g)].map(
      ([, target]) => new URL(target!.replaceAll('&amp;', '&'), base).pathname,
    );
    expect(targets.length).toBeGreaterThan(3);
    for (const target of targets) expect(target.startsWith('/site/')).toBe(true);
    expect(targets).toEqual(
      expect.arrayContaining([
        '/site/',
        '/site/subscribe',
        '/site/assets/site.css',
        '/site/connect',
      ]),
    );
    expect(connect.cookies[0]).toContain('Path=/site/connect;');
    const form = signUp.cookies[0] ?? '';
    await handleWebRequest(
      deps,
      request('/subscribe', {
        method: 'POST',
        headers: { origin: base.origin, 'content-type': 'application/x-www-form-urlencoded' },
        cookies: {
          [form.slice(0, form.indexOf('='))]: form.slice(form.indexOf('=') + 1, form.indexOf(';')),
        },
        body: new URLSearchParams({
          email: 'maya@example.com',
          handles: 'maya.bakes',
          timeZone: 'UTC',
          deliveryHour: '7',
          formToken: /name="formToken" value="([^"]+)"/.exec(signUp.body)?.[1] ?? '',
        }).toString(),
      }),
    );
    expect(state.sent[0]?.text).toContain(`${base.href}confirm?token=`);
    expect(deps.links.preferences('sub-1')).toMatch(
      /^https:\/\/abc123\.execute-api\.eu-west-1\.amazonaws\.com\/site\/preferences\?token=/,
    );
  });
});
