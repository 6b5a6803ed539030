/**
 * Turning a digest into files a person can open without a mail server: an `.html` page whose charts are
 * embedded (a browser cannot resolve `cid:` links from a file), and an `.eml` message laid out the way SES
 * lays out the one it sends (text and HTML alternatives, charts as inline parts with a Content-ID).
 */
import { randomUUID } from 'node:crypto';
import { escapeHtml } from '../core/digest/escape.ts';
import type { OutgoingEmail } from '../core/ports.ts';

/** An image referenced from the HTML as `cid:<contentId>`. */
export interface ReferencedImage {
  contentId: string;
  contentType: string;
  content: Uint8Array;
}

/** The HTML with every `cid:` image replaced by a `data:` URI, for viewing in a browser. */
export function htmlWithEmbeddedImages(html: string, images: readonly ReferencedImage[]): string {
  let embedded = html;
  for (const image of images) {
    const dataUri = `data:${image.contentType};base64,${Buffer.from(image.content).toString('base64')}`;
    embedded = embedded.replaceAll(`src="cid:${escapeHtml(image.contentId)}"`, `src="${dataUri}"`);
  }
  return embedded;
}

/** Options of {@link buildEml}. */
export interface EmlOptions {
  from: string;
  date: Date;
  /** @default a random id under likewatch.local */
  messageId?: string;
}

/**
 * The email as an RFC 5322 message (.eml): multipart/alternative of the text part and a multipart/related
 * holding the HTML part and its inline images. Refuses line breaks in header values, like the SES mailer.
 */
export function buildEml(email: OutgoingEmail, options: EmlOptions): string {
  const boundary = (name: string) => `=_likewatch_${name}_${randomUUID()}`;
  const alternative = boundary('alt');
  const related = boundary('rel');
  const headers: Array<[string, string]> = [
    ['From', options.from],
    ['To', email.to],
    ['Subject', email.subject],
    ['Date', options.date.toUTCString().replace('GMT', '+0000')],
    ['Message-ID', `<${options.messageId ?? `${randomUUID()}@likewatch.local`}>`],
    ['MIME-Version', '1.0'],
    ...Object.entries(email.headers ?? {}),
    ['Content-Type', `multipart/alternative; boundary="${alternative}"`],
  ];
  for (const [name, value] of headers) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) {
      throw new Error(`header ${JSON.stringify(name)} contains a line break`);
    }
  }
  const images = email.inlineImages ?? [];
  const lines = [
    ...headers.map(
      ([name, value]) => `${name}: ${name === 'Subject' ? encodeHeaderWord(value) : value}`,
    ),
    '',
    `--${alternative}`,
    ...textPart('text/plain', email.text),
    `--${alternative}`,
    `Content-Type: multipart/related; boundary="${related}"`,
    '',
    `--${related}`,
    ...textPart('text/html', email.html),
    ...images.flatMap((image) => [
      `--${related}`,
      `Content-Type: ${image.contentType}; name="${image.filename}"`,
      'Content-Transfer-Encoding: base64',
      `Content-ID: <${image.contentId}>`,
      `Content-Disposition: inline; filename="${image.filename}"`,
      '',
      ...base64Lines(image.content),
    ]),
    `--${related}--`,
    `--${alternative}--`,
    '',
  ];
  return lines.join('\r\n');
}

function textPart(type: 'text/plain' | 'text/html', body: string): string[] {
  return [
    `Content-Type: ${type}; charset=UTF-8`,
    'Content-Transfer-Encoding: base64',
    '',
    ...base64Lines(Buffer.from(body, 'utf8')),
  ];
}

/** Base64 in lines of 76 characters, as MIME requires. */
function base64Lines(content: Uint8Array): string[] {
  const encoded = Buffer.from(content).toString('base64');
  const lines: string[] = [];
  for (let index = 0; index < encoded.length; index += 76)
    lines.push(encoded.slice(index, index + 76));
  return lines;
}

/**
 * A header value as RFC 2047 encoded words when it is not plain ASCII, folded so that no encoded word is
 * longer than the 75 characters the RFC allows.
 */
function encodeHeaderWord(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const character of value) {
    // 45 bytes of UTF-8 become 60 characters of base64, 72 with the `=?UTF-8?B?…?=` around them.
    if (Buffer.byteLength(chunk + character, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += character;
  }
  if (chunk !== '') words.push(chunk);
  return words
    .map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`)
    .join('\r\n ');
}
