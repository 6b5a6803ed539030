/** What every page shares: security headers, method and size limits, the static files. */
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../../core/subscriptions/web.ts';
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
});
