/**
 * Confirming a sign-up (`/confirm?token=…`): a page that shows exactly what the link confirms, with a button.
 * Mail scanners open links; people press buttons, so nothing changes on GET.
 */
import { displayHandle } from '../../digest/wording.ts';
import type { PendingSignUp } from '../../model.ts';
import { html } from '../../pages/html.ts';
import { actionPage, LINK_TOKEN_FIELD, messagePage } from '../../pages/subscription-pages.ts';
import type { SubscriptionDeps } from '../deps.ts';
import { confirmSignUp, signUpFromToken } from '../sign-up.ts';
import { formExpired } from './form-pages.ts';
import type { RouteContext, WebResponse } from './http.ts';
import { badLink, hourLabel, page } from './responses.ts';

/** `GET /confirm`: the request's address, accounts, hour and zone, and the button. */
export async function showConfirm({ deps, request, forms }: RouteContext): Promise<WebResponse> {
  const token = request.query.get('token') ?? '';
  const found = await signUpFromToken(deps, token);
  if (found.kind !== 'ok') return badLink(deps, found);
  const asked = found.request;
  return page(
    deps,
    200,
    actionPage({
      title: 'Confirm your subscription',
      intro: html`<p>Confirm that ${asked.email} should receive the likewatch digest about ${await accountsOf(deps, asked)} every morning at ${hourLabel(asked)}.</p>`,
      action: 'confirm',
      linkToken: token,
      formToken: forms.token('confirm', asked.nonce),
      button: 'Confirm subscription',
    }),
  );
}

/** `POST /confirm`: applies the settings of the request this link names, and only those. */
export async function submitConfirm({ deps, request, forms }: RouteContext): Promise<WebResponse> {
  const form = new URLSearchParams(request.body);
  const token = form.get(LINK_TOKEN_FIELD) ?? '';
  const check = deps.tokens.verify(token, 'confirm', deps.now());
  if (!check.ok) return badLink(deps, check);
  if (!forms.accepts(form, 'confirm', check.subject)) return formExpired(deps);
  const outcome = await confirmSignUp(deps, token);
  if (outcome.kind === 'bad_link') return badLink(deps, outcome);
  if (outcome.kind === 'no_longer_pending') {
    return page(
      deps,
      410,
      messagePage(
        'This link is no longer valid',
        html`<p>This subscription was cancelled after the link was sent. <a href="./">Sign up again</a> to start over.</p>`,
      ),
    );
  }
  const { subscriber } = outcome;
  return page(
    deps,
    200,
    messagePage(
      outcome.kind === 'confirmed' ? 'You are subscribed' : 'Already confirmed',
      html`<p role="status">The digest will arrive every morning at ${hourLabel(subscriber)}.</p>`,
      html`<p><a href="${deps.links.preferences(subscriber.id)}">Change your preferences</a> at any time; every digest carries this link too.</p>`,
    ),
  );
}

/** `@a, @b`: the request's accounts by their current handles. */
async function accountsOf(
  deps: Pick<SubscriptionDeps, 'subscribers'>,
  asked: PendingSignUp,
): Promise<string> {
  const handles = new Map(
    (await deps.subscribers.listAccounts()).map((account) => [account.id, account.handle]),
  );
  return asked.accountIds.map((id) => displayHandle(handles.get(id) ?? id)).join(', ');
}
