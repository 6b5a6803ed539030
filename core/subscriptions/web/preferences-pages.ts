/** Preferences (`/preferences?token=…`, in every digest): hour, time zone, quiet nights, pause, accounts. */
import type { Subscriber } from '../../model.ts';
import { LINK_TOKEN_FIELD, preferencesPage } from '../../pages/subscription-pages.ts';
import { savePreferences, subscriberFromToken } from '../manage.ts';
import type { FieldErrors, PreferencesField } from '../validation.ts';
import { formExpired } from './form-pages.ts';
import type { RouteContext, WebResponse } from './http.ts';
import { badLink, page } from './responses.ts';
import { TIME_ZONES } from './sign-up-pages.ts';

/** Longest text the "add accounts" field is shown back with (its own `maxlength`). */
const MAX_ADD_HANDLES_LENGTH = 600;

/** `GET /preferences`: the subscriber's settings as a form. */
export async function showPreferences(context: RouteContext): Promise<WebResponse> {
  const { deps, request } = context;
  const token = request.query.get('token') ?? '';
  const found = await subscriberFromToken(deps, token, 'preferences');
  if (found.kind !== 'ok') return badLink(deps, found);
  return page(deps, 200, await preferencesForm(context, token, found.subscriber));
}

/** `POST /preferences`: saves the form, or shows it again with what to fix. */
export async function submitPreferences(context: RouteContext): Promise<WebResponse> {
  const { deps, request, forms } = context;
  const form = new URLSearchParams(request.body);
  const token = form.get(LINK_TOKEN_FIELD) ?? '';
  const check = deps.tokens.verify(token, 'preferences', deps.now());
  if (!check.ok) return badLink(deps, check);
  if (!forms.accepts(form, 'preferences', check.subject)) return formExpired(deps);
  const outcome = await savePreferences(deps, token, form);
  if (outcome.kind === 'bad_link') return badLink(deps, outcome);
  if (outcome.kind === 'invalid') {
    return page(
      deps,
      400,
      await preferencesForm(context, token, outcome.subscriber, {
        errors: outcome.errors,
        addHandles: (form.get('addHandles') ?? '').slice(0, MAX_ADD_HANDLES_LENGTH),
      }),
    );
  }
  return page(
    deps,
    200,
    await preferencesForm(context, token, outcome.subscriber, { saved: true }),
  );
}

async function preferencesForm(
  { deps, forms }: RouteContext,
  token: string,
  subscriber: Subscriber,
  extra: { errors?: FieldErrors<PreferencesField>; saved?: boolean; addHandles?: string } = {},
): Promise<string> {
  const handles = new Map(
    (await deps.subscribers.listAccounts()).map((account) => [account.id, account.handle]),
  );
  return preferencesPage({
    status: subscriber.status ?? 'active',
    deliveryHour: subscriber.deliveryHour,
    timeZone: subscriber.timeZone,
    quietNights: subscriber.quietNights,
    accounts: subscriber.accountIds.map((id) => ({ id, handle: handles.get(id) ?? id })),
    addHandles: extra.addHandles ?? '',
    linkToken: token,
    formToken: forms.token('preferences', subscriber.id),
    timeZones: TIME_ZONES,
    unsubscribeUrl: deps.links.unsubscribe(subscriber.id),
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.saved ? { saved: true } : {}),
  });
}
