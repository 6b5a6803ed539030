/**
 * The digest's "was this the cause?" answers (`/feedback?token=…&answer=yes|no`). As with confirmation, a
 * button records the answer: a mail scanner opening both links must not answer.
 */
import { CAUSE_NAMES } from '../../causes.ts';
import { html } from '../../pages/html.ts';
import { actionPage, LINK_TOKEN_FIELD, messagePage } from '../../pages/subscription-pages.ts';
import type { SubscriptionDeps } from '../deps.ts';
import { readFeedbackLink, recordFeedback } from '../feedback.ts';
import { formExpired } from './form-pages.ts';
import type { RouteContext, WebResponse } from './http.ts';
import { badLink, page } from './responses.ts';

/** `GET /feedback`: the answer to record, and the button. */
export async function showFeedback({ deps, request, forms }: RouteContext): Promise<WebResponse> {
  const token = request.query.get('token') ?? '';
  const link = readFeedbackLink(deps, token, request.query.get('answer'));
  if (link.kind !== 'ok') return badFeedbackLink(deps, link.rejection);
  const check = deps.tokens.verify(token, 'feedback', deps.now());
  return page(
    deps,
    200,
    actionPage({
      title: 'Thanks for telling us',
      intro: html`<p>You are answering <strong>${link.answer === 'yes' ? 'yes' : 'no'}</strong>: the cause we named (${CAUSE_NAMES[link.question.cause].phrase}) ${link.answer === 'yes' ? 'was' : 'was not'} right.</p>`,
      action: 'feedback',
      linkToken: token,
      formToken: forms.token('feedback', check.ok ? check.subject : ''),
      button: 'Send my answer',
      extraFields: html`<input type="hidden" name="answer" value="${link.answer}">`,
    }),
  );
}

/** `POST /feedback`: records the answer (answering again replaces it). */
export async function submitFeedback({ deps, request, forms }: RouteContext): Promise<WebResponse> {
  const form = new URLSearchParams(request.body);
  const token = form.get(LINK_TOKEN_FIELD) ?? '';
  const check = deps.tokens.verify(token, 'feedback', deps.now());
  if (!check.ok) return badFeedbackLink(deps, check.rejection);
  if (!forms.accepts(form, 'feedback', check.subject)) return formExpired(deps);
  const link = await recordFeedback(deps, token, form.get('answer'));
  if (link.kind !== 'ok') return badFeedbackLink(deps, link.rejection);
  return page(
    deps,
    200,
    messagePage(
      'Answer recorded',
      html`<p role="status">Thank you: answers like yours make the explanations better.</p>`,
    ),
  );
}

function badFeedbackLink(deps: Pick<SubscriptionDeps, 'baseUrl'>, rejection: string): WebResponse {
  if (rejection === 'expired') return badLink(deps, { rejection });
  return page(
    deps,
    400,
    messagePage(
      'This link is not valid',
      html`<p>Please use the links in the digest as they are.</p>`,
    ),
  );
}
