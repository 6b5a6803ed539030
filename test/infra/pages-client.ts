/**
 * A visitor of the subscription pages on the local runtime, over HTTP as a browser would (cookies kept, forms
 * posted from the site's origin): every page of the flow, from sign-up to one-click unsubscribe, connecting
 * TikTok accounts and answering feedback.
 */

import { encodeFeedbackSubject } from '../../adapters/digest-links.ts';
import { TokenSigner } from '../../adapters/signed-tokens.ts';
import { encodeHistorySubject } from '../../core/history/link.ts';
import { readDeliveredEmails } from '../../local/local-ses.ts';
import { loadHttpApiFunction, startLocalWebServer } from '../../local/web-server.ts';
import type { FaultHarness } from '../reliability/harness.ts';

/** Drives the pages of a harness's local runtime. */
export interface PagesClient {
  /** Every page and form once; `reconnect` are accounts to connect again, `connectNew` one to connect anew. */
  walkThrough(reconnect: readonly string[], connectNew: string): Promise<void>;
}

/** Serves the pages on a local port (the base URL their links and origin checks use) for `harness`. */
export async function pagesClient(harness: FaultHarness): Promise<PagesClient> {
  const web = await startLocalWebServer();
  web.serve(await loadHttpApiFunction({ ...harness.services.env, PUBLIC_BASE_URL: web.url }));
  const origin = new URL(web.url).origin;
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const keep = (response: Response) => {
    for (const set of response.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const at = pair.indexOf('=');
      if (/Max-Age=0/.test(set)) jar.delete(pair.slice(0, at));
      else jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const get = async (url: string | URL) =>
    keep(
      await fetch(new URL(url, web.url), {
        headers: { cookie: cookieHeader() },
        redirect: 'manual',
      }),
    );
  const post = async (url: string | URL, form: Record<string, string>, raw?: string) =>
    keep(
      await fetch(new URL(url, web.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: cookieHeader(),
          origin,
          'sec-fetch-site': 'same-origin',
        },
        body: raw ?? new URLSearchParams(form).toString(),
        redirect: 'manual',
      }),
    );
  const formToken = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const linkIn = (html: string, path: string) =>
    new URL(
      (new RegExp(`href="(http[^"]*${path}\\?[^"]+)"`).exec(html)?.[1] ?? '').replaceAll(
        '&amp;',
        '&',
      ),
    );
  const mailedTo = async (address: string) =>
    (await readDeliveredEmails(harness.services.sesEndpoint)).filter((email) =>
      email.to.includes(address),
    );
  const connect = async (accountId: string) => {
    const start = await get('/connect/start');
    const authorize = new URL(start.headers.get('location') ?? '');
    const consent = new URL('/v2/auth/authorize/consent', harness.services.tiktok.url);
    for (const name of ['client_key', 'redirect_uri', 'state']) {
      consent.searchParams.set(name, authorize.searchParams.get(name) ?? '');
    }
    for (const scope of (authorize.searchParams.get('scope') ?? '').split(',')) {
      consent.searchParams.append('scope', scope);
    }
    consent.searchParams.set('account', accountId);
    consent.searchParams.set('decision', 'allow');
    const back = await fetch(consent, { redirect: 'manual' });
    const done = await get(back.headers.get('location') ?? '');
    if (done.status !== 200) throw new Error(`connecting ${accountId} answered ${done.status}`);
  };

  return {
    async walkThrough(reconnect, connectNew) {
      // An account no step of the run renamed or revoked.
      const watched = harness.accounts[2]!;
      const handle = watched.handle;
      const address = 'walker@example.com';
      const signUpPage = await (await get('/')).text();
      const signUp = (email: string) =>
        post('/subscribe', {
          email,
          handles: `@${handle}`,
          timeZone: 'Europe/Berlin',
          deliveryHour: '7',
          formToken: formToken(signUpPage),
        });
      await signUp(address);
      // An address that already receives the digest: the other path of the sign-up.
      await signUp(harness.subscribers[2]!.email);
      const [mail] = await mailedTo(address);
      const confirmUrl = /(http:\/\/\S+\/confirm\?token=\S+)/.exec(mail?.text ?? '')?.[1] ?? '';
      const confirmPage = await (await get(confirmUrl)).text();
      const confirmed = await (
        await post('/confirm', {
          token: new URL(confirmUrl).searchParams.get('token') ?? '',
          formToken: formToken(confirmPage),
        })
      ).text();
      const preferencesUrl = linkIn(confirmed, '/preferences');
      const preferencesPage = await (await get(preferencesUrl)).text();
      await post('/preferences', {
        token: preferencesUrl.searchParams.get('token') ?? '',
        formToken: formToken(preferencesPage),
        deliveryHour: '9',
        timeZone: 'Asia/Tokyo',
        quietNights: 'skip',
        account: watched.id,
      });
      const unsubscribeUrl = linkIn(preferencesPage, '/unsubscribe');
      const unsubscribePage = await (await get(unsubscribeUrl)).text();
      await post('/unsubscribe', {
        token: unsubscribeUrl.searchParams.get('token') ?? '',
        formToken: formToken(unsubscribePage),
      });
      await post(unsubscribeUrl, {}, 'List-Unsubscribe=One-Click');
      // Feedback on a digest's cause, with a link signed as the digest signs it.
      const signer = new TokenSigner(harness.services.env.LINK_SIGNING_KEY as string);
      const subscriberId = new URL(confirmUrl).searchParams.get('token')
        ? harness.subscribers[0]!.id
        : '';
      const feedbackToken = signer.sign(
        'feedback',
        encodeFeedbackSubject({
          subscriberId,
          accountId: watched.id,
          night: '2026-11-24T07:00:00Z',
          cause: 'platform_glitch',
        }),
        new Date(Date.now() + 86_400_000),
      );
      const feedbackPage = await (await get(`/feedback?token=${feedbackToken}&answer=yes`)).text();
      await post('/feedback', {
        token: feedbackToken,
        answer: 'yes',
        formToken: formToken(feedbackPage),
      });
      // The history page of an account a subscriber follows, and its CSV, as the digest's link opens them.
      const follower = harness.subscribers[0]!;
      const historyToken = signer.sign(
        'history',
        encodeHistorySubject(follower.id, follower.accountIds[0]!),
        new Date(Date.now() + 86_400_000),
      );
      for (const format of ['', '&format=csv']) {
        const history = await get(`/history?token=${historyToken}&days=90${format}`);
        if (history.status !== 200) throw new Error(`the history page answered ${history.status}`);
      }
      for (const accountId of reconnect) await connect(accountId);
      await connect(connectNew);
      await get('/nowhere');
    },
  };
}
