/** The pages that refuse a form: expired or foreign form tokens, and requests from other sites. */
import { html } from '../../pages/html.ts';
import { messagePage } from '../../pages/subscription-pages.ts';
import type { SubscriptionDeps } from '../deps.ts';
import type { WebResponse } from './http.ts';
import { page } from './responses.ts';

/** What a refused form token is told (on the form page itself where there is one). */
export const FORM_EXPIRED =
  'This form expired or did not come from this site. Please check it and submit it again.';

/** A form whose token is missing, expired, made for another form, or bound to another browser. */
export function formExpired(deps: Pick<SubscriptionDeps, 'baseUrl'>): WebResponse {
  return page(
    deps,
    403,
    messagePage(
      'Please try again',
      html`<p>${FORM_EXPIRED} Go back, reload the page and try again.</p>`,
    ),
  );
}

/** A state-changing request that another site sent. */
export function crossSiteRefused(deps: Pick<SubscriptionDeps, 'baseUrl'>): WebResponse {
  return page(
    deps,
    403,
    messagePage(
      'Sent from another site',
      html`<p>This form was sent from another website, so nothing was done. To subscribe or change your digest, use the forms <a href="./">on this site</a>.</p>`,
    ),
  );
}
