/** The sign-up form (`/`, `/subscribe`) and its submission. */
import { html } from '../../pages/html.ts';
import {
  checkInboxPage,
  messagePage,
  type SignUpValues,
  signUpPage,
} from '../../pages/subscription-pages.ts';
import { signUp } from '../sign-up.ts';
import type { FieldErrors, SignUpField } from '../validation.ts';
import { FORM_EXPIRED } from './form-pages.ts';
import type { RouteContext, WebResponse } from './http.ts';
import { page } from './responses.ts';

/** Time zones offered by the forms: UTC first, then every zone the runtime knows. */
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone')];

/** Longest text a text field is shown back with (the fields' own `maxlength`). */
const MAX_EMAIL_LENGTH = 254;
const MAX_HANDLES_LENGTH = 600;

const defaultSignUp: SignUpValues = {
  email: '',
  handles: '',
  timeZone: 'UTC',
  deliveryHour: 7,
  timeZoneChosen: false,
};

/** `GET /`: the form; `?handles=` pre-fills the accounts (the page after connecting links here with it). */
export async function showSignUp({ deps, request, forms }: RouteContext): Promise<WebResponse> {
  const handles = (request.query.get('handles') ?? '').slice(0, MAX_HANDLES_LENGTH);
  return page(deps, 200, signUpForm({ deps, request, forms }, { ...defaultSignUp, handles }));
}

function signUpForm(
  { forms }: RouteContext,
  values: SignUpValues,
  extra: { errors?: FieldErrors<SignUpField>; notice?: string } = {},
): string {
  return signUpPage({
    values,
    formToken: forms.token('subscribe', '-'),
    timeZones: TIME_ZONES,
    ...extra,
  });
}

/** `POST /subscribe`: the same answer whatever the address's status (see `signUp`). */
export async function submitSignUp(context: RouteContext): Promise<WebResponse> {
  const { deps, request, forms } = context;
  const form = new URLSearchParams(request.body);
  const typed: SignUpValues = {
    email: (form.get('email') ?? '').slice(0, MAX_EMAIL_LENGTH),
    handles: (form.get('handles') ?? '').slice(0, MAX_HANDLES_LENGTH),
    timeZone: form.get('timeZone') ?? 'UTC',
    deliveryHour: Number(form.get('deliveryHour') ?? 7) || 0,
    timeZoneChosen: true,
  };
  if (!forms.accepts(form, 'subscribe', '-')) {
    return page(deps, 403, signUpForm(context, typed, { notice: FORM_EXPIRED }));
  }
  const outcome = await signUp(deps, form, request.sourceIp);
  if (outcome.kind === 'invalid') {
    return page(deps, 400, signUpForm(context, typed, { errors: outcome.errors }));
  }
  if (outcome.kind === 'rate_limited') {
    const response = page(
      deps,
      429,
      messagePage(
        'Too many sign-ups',
        html`<p>Too many sign-ups came from your network in the last hour. Please try again later.</p>`,
      ),
    );
    response.headers['retry-after'] = '3600';
    return response;
  }
  return page(deps, 200, checkInboxPage());
}
