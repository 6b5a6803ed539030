/**
 * The subscription pages, rendered on the server from plain data. Every string that comes from a person
 * (addresses, usernames) or from TikTok (handles) goes through the escaping `html` template.
 */
import { displayHandle } from '../digest/wording.ts';
import type { FieldErrors, PreferencesField, SignUpField } from '../subscriptions/validation.ts';
import { html, type SafeHtml } from './html.ts';
import {
  errorSummary,
  field,
  hidden,
  hourSelect,
  layout,
  type PageContent,
  paragraph,
  timeZoneSelect,
} from './layout.ts';

/** Form field names shared by the pages and the request handling. */
export const FORM_TOKEN_FIELD = 'formToken';
export const LINK_TOKEN_FIELD = 'token';

/** The sign-up form as last submitted (or the defaults). */
export interface SignUpValues {
  email: string;
  handles: string;
  timeZone: string;
  deliveryHour: number;
  /** The time zone came from the person (a submitted form), not from the default. */
  timeZoneChosen: boolean;
}

/** The sign-up page, with messages when a submission needs fixing. */
export function signUpPage(options: {
  values: SignUpValues;
  errors?: FieldErrors<SignUpField>;
  formToken: string;
  timeZones: readonly string[];
  notice?: string;
}): string {
  const errors = options.errors ?? {};
  const { values } = options;
  return layout({
    title: 'Get the morning like-drop digest',
    timeZoneScript: true,
    main: html`${errorSummary(errors)}
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
<p>Each morning, one email per subscriber explains how many likes the TikTok accounts you follow lost overnight, why, and what to do about it.</p>
<form method="post" action="subscribe" novalidate>
${hidden(FORM_TOKEN_FIELD, options.formToken)}
${field({
  id: 'email',
  label: 'Email address',
  hint: 'We send a confirmation link first; nothing else until you click it.',
  error: errors.email,
  control: (aria) =>
    html`<input type="email" id="email" name="email" autocomplete="email" spellcheck="false" maxlength="254" value="${values.email}"${aria}>`,
})}
${field({
  id: 'handles',
  label: 'TikTok accounts',
  hint: 'Usernames, separated by commas or spaces, e.g. @luna.bakes, @pixel.gaming',
  error: errors.handles,
  control: (aria) =>
    html`<input type="text" id="handles" name="handles" autocapitalize="none" spellcheck="false" maxlength="600" value="${values.handles}"${aria}>`,
})}
${field({
  id: 'timeZone',
  label: 'Your time zone',
  error: errors.timeZone,
  control: (aria) =>
    timeZoneSelect('timeZone', options.timeZones, values.timeZone, values.timeZoneChosen, aria),
})}
${field({
  id: 'deliveryHour',
  label: 'Send the digest at',
  hint: 'Local time, in the time zone above.',
  error: errors.deliveryHour,
  control: (aria) => hourSelect('deliveryHour', values.deliveryHour, aria),
})}
<button type="submit">Subscribe</button>
</form>
<p>Are you the creator of an account? <a href="connect">Connect it with TikTok</a> so likewatch can read its stats.</p>`,
  });
}

/** The same answer for every accepted sign-up, whether or not the address was known. */
export function checkInboxPage(): string {
  return layout({
    title: 'Check your inbox',
    main: html`<p role="status">If the address can receive our email, a message with a confirmation link is on its way. Open it and confirm to start receiving the digest.</p>
<p>The link works for 48 hours. Nothing arrived? Check your spam folder, or <a href="./">sign up again</a> later.</p>`,
  });
}

/** A page with one button that submits a signed link token (confirm, unsubscribe, feedback). */
export function actionPage(options: {
  title: string;
  intro: SafeHtml;
  action: string;
  linkToken: string;
  formToken: string;
  button: string;
  extraFields?: SafeHtml;
}): string {
  return layout({
    title: options.title,
    main: html`${options.intro}
<form method="post" action="${options.action}">
${hidden(LINK_TOKEN_FIELD, options.linkToken)}
${hidden(FORM_TOKEN_FIELD, options.formToken)}
${options.extraFields ?? ''}
<button type="submit">${options.button}</button>
</form>`,
  });
}

/** A page that just says something (confirmation, errors, limits). */
export function messagePage(title: string, ...paragraphs: SafeHtml[]): string {
  return layout({ title, main: html`${paragraphs}` });
}

/** An account as the preferences page lists it. */
export interface AccountChoice {
  id: string;
  handle: string;
}

/** The preferences page. */
export function preferencesPage(options: {
  status: 'active' | 'paused' | 'unsubscribed' | 'pending';
  deliveryHour: number;
  timeZone: string;
  quietNights: 'all_clear' | 'skip';
  accounts: readonly AccountChoice[];
  addHandles: string;
  linkToken: string;
  formToken: string;
  timeZones: readonly string[];
  unsubscribeUrl: string;
  errors?: FieldErrors<PreferencesField>;
  saved?: boolean;
}): string {
  const errors = options.errors ?? {};
  const content: PageContent = {
    title: 'Your digest preferences',
    main: html`${errorSummary(errors)}
${options.saved ? html`<p class="notice" role="status">Saved.</p>` : ''}
${options.status === 'unsubscribed' ? html`<p class="notice">You are unsubscribed. Saving these preferences subscribes you again.</p>` : ''}
<form method="post" action="preferences" novalidate>
${hidden(LINK_TOKEN_FIELD, options.linkToken)}
${hidden(FORM_TOKEN_FIELD, options.formToken)}
${field({
  id: 'deliveryHour',
  label: 'Send the digest at',
  hint: 'Local time, in the time zone below.',
  error: errors.deliveryHour,
  control: (aria) => hourSelect('deliveryHour', options.deliveryHour, aria),
})}
${field({
  id: 'timeZone',
  label: 'Time zone',
  error: errors.timeZone,
  control: (aria) => timeZoneSelect('timeZone', options.timeZones, options.timeZone, true, aria),
})}
<fieldset id="quietNights"${errors.quietNights ? html` aria-describedby="quietNights-error"` : ''}>
<legend>On a night with nothing to report</legend>
${errors.quietNights ? html`<span class="error" id="quietNights-error">${errors.quietNights}</span>` : ''}
<label class="choice"><input type="radio" name="quietNights" value="all_clear"${options.quietNights === 'all_clear' ? html` checked` : ''}> Send a one-line all-clear</label>
<label class="choice"><input type="radio" name="quietNights" value="skip"${options.quietNights === 'skip' ? html` checked` : ''}> Send nothing</label>
</fieldset>
<fieldset>
<legend>Pause</legend>
<label class="choice"><input type="checkbox" name="paused" value="on"${options.status === 'paused' ? html` checked` : ''}> Pause the digest until I come back</label>
</fieldset>
<fieldset id="accounts"${errors.accounts ? html` aria-describedby="accounts-error"` : ''}>
<legend>Accounts in the digest</legend>
${errors.accounts ? html`<span class="error" id="accounts-error">${errors.accounts}</span>` : ''}
${options.accounts.map(
  (account) =>
    html`<label class="choice"><input type="checkbox" name="account" value="${account.id}" checked> ${displayHandle(account.handle)}</label>`,
)}
</fieldset>
${field({
  id: 'addHandles',
  label: 'Add accounts',
  hint: 'TikTok usernames, separated by commas or spaces.',
  control: (aria) =>
    html`<input type="text" id="addHandles" name="addHandles" autocapitalize="none" spellcheck="false" maxlength="600" value="${options.addHandles}"${aria}>`,
})}
<button type="submit">Save preferences</button>
</form>
${paragraph(html`Rather stop for good? <a href="${options.unsubscribeUrl}">Unsubscribe</a>.`)}`,
  };
  return layout(content);
}

/** The page that sends a creator to TikTok to connect an account. */
export function connectPage(startUrl: string, reconnecting: boolean): string {
  return layout({
    title: reconnecting ? 'Reconnect your TikTok account' : 'Connect your TikTok account',
    main: html`<p>likewatch reads your account's public counts (profile and videos) through TikTok's official API. TikTok will ask you to allow that; you can withdraw access at any time in TikTok's settings.</p>
<p><a class="button" href="${startUrl}">Continue with TikTok</a></p>`,
  });
}
