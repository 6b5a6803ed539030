/**
 * HTML building for the subscription pages with escaping by default: every value interpolated into
 * {@link html} is sanitised as the digest's strings are (control characters, CR/LF and bidirectional
 * overrides become spaces) and escaped, unless it is itself markup built by {@link html}. A handle, an address
 * or a time zone typed into a form can therefore never become markup or reorder what a page shows.
 */
import { escapeHtml, withoutUnsafeCharacters } from '../digest/escape.ts';

/** Markup that is safe to insert as is (built by {@link html}). */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/** What may be interpolated: text (escaped), numbers, markup, lists of those, or nothing. */
export type HtmlValue =
  | SafeHtml
  | string
  | number
  | false
  | null
  | undefined
  | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === false || value === null || value === undefined) return '';
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(withoutUnsafeCharacters(String(value)));
}

/** A template of markup whose interpolated values are escaped (see the module comment). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? '';
  values.forEach((value, index) => {
    markup += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(markup);
}
