/**
 * The subscription pages as one pure request → response function: routing, body and method checks, anti-CSRF
 * form tokens, security headers, and the use cases behind each page. The HTTP Lambda (and, locally, the Node
 * server in front of it) only translates API Gateway events to {@link WebRequest} and back.
 */
import { MailerError } from '../errors.ts';
import type { Subscriber } from '../model.ts';
import {
  STYLESHEET,
  STYLESHEET_PATH,
  TIME_ZONE_SCRIPT,
  TIME_ZONE_SCRIPT_PATH,
} from '../pages/assets.ts';
import { html } from '../pages/html.ts';
import {
  actionPage,
  checkInboxPage,
  connectPage,
  FORM_TOKEN_FIELD,
  LINK_TOKEN_FIELD,
  messagePage,
  preferencesPage,
  type SignUpValues,
  signUpPage,
} from '../pages/subscription-pages.ts';
import { HOUR_MS } from '../time.ts';
import { completeConnect, startConnect } from './connect.ts';
import type { SubscriptionDeps } from './deps.ts';
import { readFeedbackLink, recordFeedback } from './feedback.ts';
import {
  confirmSubscription,
  type LinkProblem,
  savePreferences,
  subscriberFromToken,
  unsubscribe,
} from './manage.ts';
import { signUp } from './sign-up.ts';
import type { FieldErrors, PreferencesField } from './validation.ts';

/** Largest request body accepted: the forms are a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** How long a rendered form may be submitted. */
const FORM_TOKEN_LIFETIME_MS = 2 * HOUR_MS;

/** The cookie that binds a TikTok OAuth state to the browser that started it. */
export const CONNECT_COOKIE = 'likewatch_connect';

/** An HTTP request as the pages see it. */
export interface WebRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body as text. */
  body: string;
  /** The body's size in bytes as received (before any decoding). */
  bodyBytes: number;
  sourceIp: string;
  cookies: Record<string, string>;
}

/** An HTTP response. */
export interface WebResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** `Set-Cookie` values. */
  cookies: string[];
}

/** Time zones offered by the forms: UTC first, then every zone the runtime knows. */
const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone')];

type Route = (deps: SubscriptionDeps, request: WebRequest) => Promise<WebResponse>;

/**
 * Handles one request to the subscription pages. Never throws: every refusal is a page, and an unexpected
 * failure (the store is down) is a generic error page after `onUnexpectedError` has been told.
 */
export async function handleWebRequest(
  deps: SubscriptionDeps,
  request: WebRequest,
  onUnexpectedError: (error: unknown) => void = () => undefined,
): Promise<WebResponse> {
  const routes = ROUTES[request.path];
  if (!routes)
    return page(
      deps,
      404,
      messagePage(
        'Page not found',
        html`<p>There is no page here. <a href="/">Sign up for the digest</a>.</p>`,
      ),
    );
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const route = routes[method as 'GET' | 'POST'];
  if (!route) {
    const response = page(
      deps,
      405,
      messagePage('Not allowed', html`<p>This page does not accept that request.</p>`),
    );
    response.headers.allow = Object.keys(routes).join(', ');
    return response;
  }
  if (request.bodyBytes > MAX_BODY_BYTES) {
    return page(
      deps,
      413,
      messagePage(
        'Too much data',
        html`<p>The form sent more than we accept. Please shorten what you typed and try again.</p>`,
      ),
    );
  }
  try {
    return await route(deps, request);
  } catch (error) {
    if (error instanceof MailerError) {
      return page(
        deps,
        503,
        messagePage(
          'Please try again shortly',
          html`<p>We could not send the email just now. Please try again in a few minutes.</p>`,
        ),
      );
    }
    onUnexpectedError(error);
    return page(
      deps,
      500,
      messagePage(
        'Something went wrong',
        html`<p>Sorry, this did not work. Please try again in a few minutes.</p>`,
      ),
    );
  }
}

const ROUTES: Record<string, Partial<Record<'GET' | 'POST', Route>>> = {
  '/': { GET: showSignUp },
  '/subscribe': { GET: showSignUp, POST: submitSignUp },
  '/confirm': { GET: showConfirm, POST: submitConfirm },
  '/preferences': { GET: showPreferences, POST: submitPreferences },
  '/unsubscribe': { GET: showUnsubscribe, POST: submitUnsubscribe },
  '/connect': { GET: showConnect },
  '/connect/start': { GET: redirectToTikTok },
  '/connect/callback': { GET: finishConnect },
  '/feedback': { GET: showFeedback, POST: submitFeedback },
  [STYLESHEET_PATH]: { GET: async () => asset('text/css; charset=utf-8', STYLESHEET) },
  [TIME_ZONE_SCRIPT_PATH]: {
    GET: async () => asset('text/javascript; charset=utf-8', TIME_ZONE_SCRIPT),
  },
};

// --- Sign-up ----------------------------------------------------------------------------------------

async function showSignUp(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  // `?handles=` pre-fills the accounts (the page after connecting an account links here with it).
  const handles = (request.query.get('handles') ?? '').slice(0, 600);
  return page(deps, 200, signUpForm(deps, { ...defaultSignUp, handles }));
}

const defaultSignUp: SignUpValues = {
  email: '',
  handles: '',
  timeZone: 'UTC',
  deliveryHour: 7,
  timeZoneChosen: false,
};

function signUpForm(
  deps: SubscriptionDeps,
  values: SignUpValues,
  extra: {
    errors?: FieldErrors<'email' | 'handles' | 'timeZone' | 'deliveryHour'>;
    notice?: string;
  } = {},
): string {
  return signUpPage({
    values,
    formToken: formToken(deps, 'subscribe', '-'),
    timeZones: TIME_ZONES,
    ...extra,
  });
}

async function submitSignUp(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  const form = new URLSearchParams(request.body);
  const typed: SignUpValues = {
    email: (form.get('email') ?? '').slice(0, 254),
    handles: (form.get('handles') ?? '').slice(0, 600),
    timeZone: form.get('timeZone') ?? 'UTC',
    deliveryHour: Number(form.get('deliveryHour') ?? 7) || 0,
    timeZoneChosen: true,
  };
  if (!hasFormToken(deps, form, 'subscribe', '-')) {
    return page(deps, 403, signUpForm(deps, typed, { notice: FORM_EXPIRED }));
  }
  const outcome = await signUp(deps, form, request.sourceIp);
  if (outcome.kind === 'invalid') {
    return page(deps, 400, signUpForm(deps, typed, { errors: outcome.errors }));
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

// --- Confirm ----------------------------------------------------------------------------------------

async function showConfirm(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  // Showing a button instead of confirming on GET: mail scanners open links, people press buttons.
  const token = request.query.get('token') ?? '';
  const found = await subscriberFromToken(deps, token, 'confirm');
  if (found.kind !== 'ok') return badLink(deps, found);
  return page(
    deps,
    200,
    actionPage({
      title: 'Confirm your subscription',
      intro: html`<p>Confirm that ${found.subscriber.email} should receive the likewatch digest every morning at ${hourLabel(found.subscriber)}.</p>`,
      action: '/confirm',
      linkToken: token,
      formToken: formToken(deps, 'confirm', found.subscriber.id),
      button: 'Confirm subscription',
    }),
  );
}

async function submitConfirm(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  const form = new URLSearchParams(request.body);
  const token = form.get(LINK_TOKEN_FIELD) ?? '';
  const check = deps.tokens.verify(token, 'confirm', deps.now());
  if (!check.ok) return badLink(deps, { kind: 'bad_link', rejection: check.rejection });
  if (!hasFormToken(deps, form, 'confirm', check.subject)) return formExpired(deps);
  const outcome = await confirmSubscription(deps, token);
  if (outcome.kind === 'bad_link') return badLink(deps, outcome);
  if (outcome.kind === 'no_longer_pending') {
    return page(
      deps,
      410,
      messagePage(
        'This link is no longer valid',
        html`<p>This subscription was cancelled after the link was sent. <a href="/">Sign up again</a> to start over.</p>`,
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

// --- Preferences ------------------------------------------------------------------------------------

async function showPreferences(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  const token = request.query.get('token') ?? '';
  const found = await subscriberFromToken(deps, token, 'preferences');
  if (found.kind !== 'ok') return badLink(deps, found);
  return page(deps, 200, await preferencesForm(deps, token, found.subscriber));
}

async function submitPreferences(
  deps: SubscriptionDeps,
  request: WebRequest,
): Promise<WebResponse> {
  const form = new URLSearchParams(request.body);
  const token = form.get(LINK_TOKEN_FIELD) ?? '';
  const check = deps.tokens.verify(token, 'preferences', deps.now());
  if (!check.ok) return badLink(deps, { kind: 'bad_link', rejection: check.rejection });
  if (!hasFormToken(deps, form, 'preferences', check.subject)) return formExpired(deps);
  const outcome = await savePreferences(deps, token, form);
  if (outcome.kind === 'bad_link') return badLink(deps, outcome);
  if (outcome.kind === 'invalid') {
    return page(
      deps,
      400,
      await preferencesForm(deps, token, outcome.subscriber, {
        errors: outcome.errors,
        addHandles: (form.get('addHandles') ?? '').slice(0, 600),
      }),
    );
  }
  return page(deps, 200, await preferencesForm(deps, token, outcome.subscriber, { saved: true }));
}

async function preferencesForm(
  deps: SubscriptionDeps,
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
    formToken: formToken(deps, 'preferences', subscriber.id),
    timeZones: TIME_ZONES,
    unsubscribeUrl: deps.links.unsubscribe(subscriber.id),
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.saved ? { saved: true } : {}),
  });
}

// --- Unsubscribe ------------------------------------------------------------------------------------

async function showUnsubscribe(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  const token = request.query.get('token') ?? '';
  const check = deps.tokens.verify(token, 'unsubscribe', deps.now());
  if (!check.ok) return badLink(deps, { kind: 'bad_link', rejection: check.rejection });
  return page(
    deps,
    200,
    actionPage({
      title: 'Unsubscribe',
      intro: html`<p>Stop the likewatch morning digest for good? You can pause it instead from your preferences.</p>`,
      action: '/unsubscribe',
      linkToken: token,
      formToken: formToken(deps, 'unsubscribe', check.subject),
      button: 'Unsubscribe',
    }),
  );
}

/**
 * Two kinds of POST: RFC 8058 one-click (from the mail client, the token in the URL and
 * `List-Unsubscribe=One-Click` in the body, no cookies, no form token: it must work as is), and the button
 * on the page above (token and form token in the form).
 */
async function submitUnsubscribe(
  deps: SubscriptionDeps,
  request: WebRequest,
): Promise<WebResponse> {
  const urlToken = request.query.get('token');
  if (urlToken !== null && isOneClickBody(request)) {
    const outcome = await unsubscribe(deps, urlToken);
    if (outcome.kind === 'bad_link') return badLink(deps, outcome);
    return page(
      deps,
      200,
      messagePage(
        'You are unsubscribed',
        html`<p role="status">No more digests will be sent to this address.</p>`,
      ),
    );
  }
  const form = new URLSearchParams(request.body);
  const token = form.get(LINK_TOKEN_FIELD) ?? '';
  const check = deps.tokens.verify(token, 'unsubscribe', deps.now());
  if (!check.ok) return badLink(deps, { kind: 'bad_link', rejection: check.rejection });
  if (!hasFormToken(deps, form, 'unsubscribe', check.subject)) return formExpired(deps);
  await unsubscribe(deps, token);
  return page(
    deps,
    200,
    messagePage(
      'You are unsubscribed',
      html`<p role="status">No more digests will be sent to this address.</p>`,
      html`<p>Changed your mind? <a href="${deps.links.preferences(check.subject)}">Subscribe again from your preferences</a>.</p>`,
    ),
  );
}

/** `List-Unsubscribe=One-Click`, form-encoded or as a multipart field (RFC 8058 allows both). */
function isOneClickBody(request: WebRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    return /name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/.test(request.body);
  }
  return new URLSearchParams(request.body).get('List-Unsubscribe') === 'One-Click';
}

// --- Connect TikTok ---------------------------------------------------------------------------------

async function showConnect(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  // The digest's reconnect link carries a token; it only changes the wording, never where the flow goes.
  const token = request.query.get('token');
  const reconnecting = token !== null && deps.tokens.verify(token, 'reconnect', deps.now()).ok;
  return page(deps, 200, connectPage('/connect/start', reconnecting));
}

async function redirectToTikTok(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  const started = await startConnect(deps, request.sourceIp);
  if (started.kind === 'rate_limited') {
    return page(
      deps,
      429,
      messagePage(
        'Too many attempts',
        html`<p>Too many connections were started from your network. Please try again later.</p>`,
      ),
    );
  }
  const { start } = started;
  const response = page(deps, 302, '');
  // The only redirect the pages make, to the configured TikTok authorize URL: nothing from the request
  // chooses where it goes.
  response.headers.location = start.authorizeUrl;
  response.cookies.push(
    cookie(
      deps,
      CONNECT_COOKIE,
      start.nonce,
      Math.round((start.expiresAt.getTime() - deps.now().getTime()) / 1000),
    ),
  );
  return response;
}

async function finishConnect(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  const outcome = await completeConnect(deps, {
    state: request.query.get('state') ?? undefined,
    code: request.query.get('code') ?? undefined,
    error: request.query.get('error') ?? undefined,
    cookieNonce: request.cookies[CONNECT_COOKIE],
  });
  const response = connectResultPage(deps, outcome);
  response.cookies.push(cookie(deps, CONNECT_COOKIE, '', 0));
  return response;
}

function connectResultPage(
  deps: SubscriptionDeps,
  outcome: Awaited<ReturnType<typeof completeConnect>>,
): WebResponse {
  const again = html`<p><a href="/connect">Start again</a>.</p>`;
  switch (outcome.kind) {
    case 'connected': {
      const { handle } = outcome.account;
      return page(
        deps,
        200,
        messagePage(
          outcome.reconnected ? 'Reconnected' : 'Account connected',
          html`<p role="status">likewatch now reads the stats of @${handle}.</p>`,
          html`<p><a href="/?handles=${encodeURIComponent(handle)}">Get the morning digest about @${handle}</a>.</p>`,
        ),
      );
    }
    case 'bad_state':
      return page(
        deps,
        400,
        messagePage(
          'This sign-in link is not valid',
          html`<p>It expired, was already used, or was started in another browser.</p>`,
          again,
        ),
      );
    case 'declined':
      return page(
        deps,
        200,
        messagePage(
          'Not connected',
          html`<p>TikTok did not grant access, so nothing was connected.</p>`,
          again,
        ),
      );
    case 'missing_scopes':
      return page(
        deps,
        400,
        messagePage(
          'Some permissions are missing',
          html`<p>likewatch needs every permission TikTok asked for (${outcome.missing.join(', ') || 'the username'}) to read the account's counts.</p>`,
          again,
        ),
      );
    case 'bad_handle':
      return page(
        deps,
        502,
        messagePage(
          'TikTok sent an unusable username',
          html`<p>TikTok named the account with something that is not a TikTok username, so nothing was connected.</p>`,
          again,
        ),
      );
    case 'exchange_failed':
      return page(
        deps,
        502,
        messagePage(
          'TikTok did not answer',
          html`<p>We could not complete the connection with TikTok.</p>`,
          again,
        ),
      );
  }
}

// --- Feedback ---------------------------------------------------------------------------------------

async function showFeedback(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  // As with confirmation, a button records the answer: a mail scanner opening both links must not answer.
  const token = request.query.get('token') ?? '';
  const link = readFeedbackLink(deps, token, request.query.get('answer'));
  if (link.kind !== 'ok') return badFeedbackLink(deps, link.rejection);
  const check = deps.tokens.verify(token, 'feedback', deps.now());
  return page(
    deps,
    200,
    actionPage({
      title: 'Thanks for telling us',
      intro: html`<p>You are answering <strong>${link.answer === 'yes' ? 'yes' : 'no'}</strong>: the cause we named (${link.question.cause.replaceAll('_', ' ')}) ${link.answer === 'yes' ? 'was' : 'was not'} right.</p>`,
      action: '/feedback',
      linkToken: token,
      formToken: formToken(deps, 'feedback', check.ok ? check.subject : ''),
      button: 'Send my answer',
      extraFields: html`<input type="hidden" name="answer" value="${link.answer}">`,
    }),
  );
}

async function submitFeedback(deps: SubscriptionDeps, request: WebRequest): Promise<WebResponse> {
  const form = new URLSearchParams(request.body);
  const token = form.get(LINK_TOKEN_FIELD) ?? '';
  const check = deps.tokens.verify(token, 'feedback', deps.now());
  if (!check.ok) return badFeedbackLink(deps, check.rejection);
  if (!hasFormToken(deps, form, 'feedback', check.subject)) return formExpired(deps);
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

function badFeedbackLink(deps: SubscriptionDeps, rejection: string): WebResponse {
  if (rejection === 'expired') return badLink(deps, { kind: 'bad_link', rejection });
  return page(
    deps,
    400,
    messagePage(
      'This link is not valid',
      html`<p>Please use the links in the digest as they are.</p>`,
    ),
  );
}

// --- Shared pieces ----------------------------------------------------------------------------------

const FORM_EXPIRED =
  'This form expired or did not come from this site. Please check it and submit it again.';

/** A form token for `form` about `subject` (the subscriber, or `-` for the sign-up form). */
function formToken(deps: SubscriptionDeps, form: string, subject: string): string {
  return deps.tokens.sign(
    'form',
    `${form}:${subject}`,
    new Date(deps.now().getTime() + FORM_TOKEN_LIFETIME_MS),
  );
}

/** True when the submitted form token is genuine, current, and was made for this form and subject. */
function hasFormToken(
  deps: SubscriptionDeps,
  form: URLSearchParams,
  name: string,
  subject: string,
): boolean {
  const check = deps.tokens.verify(form.get(FORM_TOKEN_FIELD) ?? '', 'form', deps.now());
  return check.ok && check.subject === `${name}:${subject}`;
}

function formExpired(deps: SubscriptionDeps): WebResponse {
  return page(
    deps,
    403,
    messagePage(
      'Please try again',
      html`<p>${FORM_EXPIRED} Go back, reload the page and try again.</p>`,
    ),
  );
}

function badLink(deps: SubscriptionDeps, problem: LinkProblem): WebResponse {
  switch (problem.rejection) {
    case 'expired':
      return page(
        deps,
        410,
        messagePage(
          'This link has expired',
          html`<p>Links in our emails work for a limited time. The newest digest carries fresh ones, or <a href="/">sign up again</a>.</p>`,
        ),
      );
    case 'unknown_subscriber':
      return page(
        deps,
        404,
        messagePage(
          'Subscription not found',
          html`<p>This subscription no longer exists. <a href="/">Sign up again</a>.</p>`,
        ),
      );
    default:
      return page(
        deps,
        400,
        messagePage(
          'This link is not valid',
          html`<p>Please use the link from the email as it is, or <a href="/">sign up again</a>.</p>`,
        ),
      );
  }
}

function hourLabel(subscriber: Subscriber): string {
  return `${String(subscriber.deliveryHour).padStart(2, '0')}:00 (${subscriber.timeZone})`;
}

/** Headers every response carries. */
function securityHeaders(deps: SubscriptionDeps): Record<string, string> {
  const headers: Record<string, string> = {
    // Scripts and styles come only from this origin's files, never inline; nothing may frame the pages.
    'content-security-policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    // Page URLs carry tokens: they must not leak to other sites in a Referer.
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
  if (deps.baseUrl.startsWith('https:')) {
    headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  }
  return headers;
}

function page(deps: SubscriptionDeps, status: number, body: string): WebResponse {
  return {
    status,
    headers: {
      ...securityHeaders(deps),
      'content-type': 'text/html; charset=utf-8',
      // Pages show personal settings and carry tokens: no cache may keep them.
      'cache-control': 'no-store',
    },
    body,
    cookies: [],
  };
}

async function asset(contentType: string, body: string): Promise<WebResponse> {
  return {
    status: 200,
    headers: {
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-type': contentType,
      'cache-control': 'public, max-age=3600',
    },
    body,
    cookies: [],
  };
}

/** A cookie for the pages' own paths, HttpOnly, and Secure when the site is served over HTTPS. */
function cookie(
  deps: SubscriptionDeps,
  name: string,
  value: string,
  maxAgeSeconds: number,
): string {
  const secure = deps.baseUrl.startsWith('https:') ? '; Secure' : '';
  // Lax, not Strict: TikTok's redirect back is a cross-site top-level navigation that must carry it.
  return `${name}=${value}; Path=/connect; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
}
