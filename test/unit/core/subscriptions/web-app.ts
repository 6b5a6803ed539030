/**
 * The pages over in-memory ports, driven as a browser drives them: each "browser" keeps the cookies the pages
 * set and sends them back, and posts forms from the site's own origin unless told otherwise.
 */
import {
  handleWebRequest,
  type WebRequest,
  type WebResponse,
} from '../../../../core/subscriptions/web.ts';
import { account, BASE_URL, memorySubscriptionDeps } from '../../../fakes/subscription-deps.ts';

export const NOW = new Date('2026-11-24T10:00:00Z');

/** The site's own origin, as a browser sends it on a form post. */
export const SITE_ORIGIN = new URL(BASE_URL).origin;

/** The pages with two watched accounts, and a browser to drive them. */
export function setup() {
  /** The pages' clock; tests move it forward. */
  const clock = { now: NOW };
  const memory = memorySubscriptionDeps({
    now: () => clock.now,
    accounts: [account('acct-1', 'maya.bakes'), account('acct-2', 'dan_cooks')],
  });
  const browser = () => {
    const jar: Record<string, string> = {};
    const call = async (request: Partial<WebRequest> & { path: string }) => {
      const response = await handleWebRequest(memory.deps, {
        method: 'GET',
        query: new URLSearchParams(),
        headers: {},
        body: '',
        bodyBytes: Buffer.byteLength(request.body ?? ''),
        sourceIp: '203.0.113.7',
        ...request,
        cookies: { ...jar, ...request.cookies },
      });
      for (const set of response.cookies) {
        const [pair = '', ...attributes] = set.split(';');
        const at = pair.indexOf('=');
        const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
        if (attributes.some((attribute) => attribute.trim() === 'Max-Age=0')) delete jar[name];
        else jar[name] = value;
      }
      return response;
    };
    const get = (path: string, query: Record<string, string> = {}, cookies = {}) =>
      call({ path, query: new URLSearchParams(query), cookies });
    /** A form post from the site's own page (its `Origin` and `Sec-Fetch-Site`), unless `extra` says otherwise. */
    const post = (path: string, form: Record<string, string>, extra: Partial<WebRequest> = {}) => {
      const body = new URLSearchParams(form).toString();
      return call({
        method: 'POST',
        path,
        body,
        ...extra,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: SITE_ORIGIN,
          'sec-fetch-site': 'same-origin',
          ...extra.headers,
        },
      });
    };
    return { call, get, post, jar };
  };
  return { ...memory, clock, browser, ...browser() };
}

export type App = ReturnType<typeof setup>;

/** The anti-CSRF token of the form in a rendered page. */
export const formTokenOf = (response: WebResponse) =>
  /name="formToken" value="([^"]+)"/.exec(response.body)?.[1] ?? '';

/** The sign-up form, filled in for maya@example.com. */
export const signUpForm = (overrides: Record<string, string> = {}) => ({
  email: 'maya@example.com',
  handles: '@maya.bakes',
  timeZone: 'Europe/Berlin',
  deliveryHour: '7',
  ...overrides,
});

/** The link token of the last email's `/confirm` link. */
export function lastConfirmToken(app: App, to = 'maya@example.com'): string {
  const email = app.state.sent.filter((sent) => sent.to === to).at(-1);
  const link = /(https:\/\/\S+\/confirm\?token=\S+)/.exec(email?.text ?? '')?.[1];
  if (!link) throw new Error(`no confirmation link was mailed to ${to}`);
  return new URL(link).searchParams.get('token') ?? '';
}

/** Confirms the sign-up of `token` through its page's button, as `browser` (by default the app's own). */
export async function confirm(app: App, token: string, browser: ReturnType<App['browser']> = app) {
  const page = await browser.get('/confirm', { token });
  return browser.post('/confirm', { token, formToken: formTokenOf(page) });
}

/** Signs `maya@example.com` up and confirms it; returns the subscriber id. */
export async function subscribed(app: App): Promise<string> {
  await app.post('/subscribe', { ...signUpForm(), formToken: formTokenOf(await app.get('/')) });
  await confirm(app, lastConfirmToken(app));
  const maya = [...app.state.subscribers.values()].find((s) => s.email === 'maya@example.com');
  if (!maya) throw new Error('sign-up failed');
  return maya.id;
}

/** A token signed by the pages' key. */
export const sign = (
  app: App,
  purpose: Parameters<App['signer']['sign']>[0],
  subject: string,
  expiresAt = new Date(NOW.getTime() + 3_600_000),
) => app.signer.sign(purpose, subject, expiresAt);
