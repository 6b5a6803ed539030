/**
 * Turning a digest into files a person can open without a mail server: an `.html` page whose charts are
 * embedded (a browser cannot resolve `cid:` links from a file), and an `.eml` message laid out the way SES
 * lays out the one it sends (text and HTML alternatives, charts as inline parts with a Content-ID).
 */
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
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
 * holding the HTML part and its inline images. Refuses line breaks in header values, like the SES mailer (a
 * MIME builder would fold them away silently).
 */
export async function buildEml(email: OutgoingEmail, options: EmlOptions): Promise<Buffer> {
  const headers = { From: options.from, To: email.to, Subject: email.subject, ...email.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) {
      throw new Error(`header ${JSON.stringify(name)} contains a line break`);
    }
  }
  const message = new MailComposer({
    from: options.from,
    to: email.to,
    subject: email.subject,
    date: options.date,
    messageId: `<${options.messageId ?? `${randomUUID()}@likewatch.local`}>`,
    ...(email.headers ? { headers: email.headers } : {}),
    text: email.text,
    html: email.html,
    attachments: (email.inlineImages ?? []).map((image) => ({
      cid: image.contentId,
      filename: image.filename,
      contentType: image.contentType,
      contentDisposition: 'inline',
      content: Buffer.from(image.content),
    })),
  });
  return message.compile().build();
}
