/**
 * The shell every subscription page shares (landmarks, skip link, stylesheet) and the form pieces they are
 * built from: labelled fields with hints and messages tied to them by `aria-describedby`, and an error summary
 * that takes focus so screen-reader users hear what to fix.
 */
import { STYLESHEET_PATH, TIME_ZONE_SCRIPT_PATH } from './assets.ts';
import { type HtmlValue, html, SafeHtml } from './html.ts';

/** What the shell needs from a page. */
export interface PageContent {
  title: string;
  main: SafeHtml;
  /** Loads the time zone script (only the pages with a time zone field). */
  timeZoneScript?: boolean;
  /** A wider column, for pages with charts and tables (the history page). */
  wide?: boolean;
}

/**
 * Every page's `<base>`: the site's links are relative to it, so the pages work under any path (an API
 * Gateway stage, `/site/`, or the root of a custom domain). The response fills in the public base URL's path.
 */
export const BASE_ELEMENT = new SafeHtml('<base href="/">');

/** A link to one of the site's own paths (`/confirm`), relative to the page's `<base>` (`confirm`). */
export function siteLink(path: string): string {
  return path === '/' ? './' : path.replace(/^\//, '');
}

/** A complete HTML document. */
export function layout(page: PageContent): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
${BASE_ELEMENT}
<title>${page.title} · likewatch</title>
<link rel="stylesheet" href="${siteLink(STYLESHEET_PATH)}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><a href="./">likewatch</a></header>
<main id="main" tabindex="-1"${page.wide ? html` class="wide"` : ''}>
<h1>${page.title}</h1>
${page.main}
</main>
<footer><p>likewatch explains overnight TikTok like drops in a morning email.</p></footer>
${page.timeZoneScript ? html`<script src="${siteLink(TIME_ZONE_SCRIPT_PATH)}" defer></script>` : ''}
</body>
</html>
`.markup;
}

/** One labelled form field; `control` receives the attributes that tie it to its hint and message. */
export function field(options: {
  id: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  control: (describedBy: SafeHtml) => SafeHtml;
}): SafeHtml {
  const described = [
    options.hint ? `${options.id}-hint` : '',
    options.error ? `${options.id}-error` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const attributes = html`${described ? html` aria-describedby="${described}"` : ''}${options.error ? html` aria-invalid="true"` : ''}`;
  return html`<div>
<label for="${options.id}">${options.label}</label>
${options.hint ? html`<span class="hint" id="${options.id}-hint">${options.hint}</span>` : ''}
${options.error ? html`<span class="error" id="${options.id}-error">${options.error}</span>` : ''}
${options.control(attributes)}
</div>`;
}

/** Lists what to fix, each linking to its field; focused on load so it is announced. */
export function errorSummary(errors: Record<string, string | undefined>): SafeHtml {
  const entries = Object.entries(errors).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  if (entries.length === 0) return html``;
  return html`<div class="summary" role="alert" tabindex="-1" autofocus>
<h2>Please fix ${entries.length === 1 ? 'this' : 'these'}:</h2>
<ul>${entries.map(([id, message]) => html`<li><a href="#${id}">${message}</a></li>`)}</ul>
</div>`;
}

/** A hidden input. */
export function hidden(name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

/** A `<select>` of hours 0–23 shown as `07:00`. */
export function hourSelect(id: string, selected: number, attributes: SafeHtml): SafeHtml {
  const hours = Array.from({ length: 24 }, (_, hour) => hour);
  return html`<select id="${id}" name="${id}"${attributes}>${hours.map(
    (hour) =>
      html`<option value="${hour}"${hour === selected ? html` selected` : ''}>${String(hour).padStart(2, '0')}:00</option>`,
  )}</select>`;
}

/**
 * A `<select>` of time zones. `chosen` marks a value the person picked (the script then leaves it alone);
 * otherwise the script replaces the default with the browser's zone.
 */
export function timeZoneSelect(
  id: string,
  zones: readonly string[],
  selected: string,
  chosen: boolean,
  attributes: SafeHtml,
): SafeHtml {
  return html`<select id="${id}" name="${id}" data-detect-time-zone data-chosen="${chosen ? 'true' : 'false'}"${attributes}>${zones.map(
    (zone) => html`<option${zone === selected ? html` selected` : ''}>${zone}</option>`,
  )}</select>`;
}

/** A paragraph of text. */
export function paragraph(...content: HtmlValue[]): SafeHtml {
  return html`<p>${content}</p>`;
}
