/** Reads back what the local SES (aws-ses-v2-local) received, through its HTTP store API. */
import { createRequire } from 'node:module';
import { z } from 'zod';

const StoredEmail = z.object({
  messageId: z.string(),
  from: z.string(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  subject: z.string(),
  destination: z.object({ to: z.array(z.string()) }),
  body: z.object({ html: z.string().optional(), text: z.string().optional() }),
  attachments: z
    .array(
      z.object({
        content: z.string(),
        contentType: z.string(),
        contentId: z.string().optional(),
        contentDisposition: z.string().optional(),
        filename: z.string().optional(),
      }),
    )
    .optional(),
});
const Store = z.object({ emails: z.array(StoredEmail) });
const EmlContent = z.object({
  body: z.object({ type: z.literal('Buffer'), data: z.array(z.number()) }),
});

/** One email as the local SES stored it, with its full MIME source. */
export interface DeliveredEmail {
  messageId: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  /** The sender, as the request gave it. */
  from: string;
  /** Custom headers of the request (e.g. List-Unsubscribe). */
  headers: Record<string, string>;
  /**
   * The RFC 5322 message (.eml) as the local SES renders it. It differs from what SES sends in one way that
   * matters: inline attachments lose their Content-ID and are base64-encoded twice, so a mail client shows a
   * broken attachment instead of the chart. Use `inlineImages` for the attachments as sent.
   */
  eml: Buffer;
  /** Attachments with a Content-ID (the digest's charts), exactly as the request carried them. */
  inlineImages: Array<{
    contentId: string;
    contentType: string;
    contentDisposition?: string;
    content: Buffer;
  }>;
}

/** Every email the local SES at `endpoint` has received, oldest first. */
export async function readDeliveredEmails(endpoint: string): Promise<DeliveredEmail[]> {
  const store = Store.parse(await (await fetch(new URL('/store', endpoint))).json());
  return Promise.all(
    store.emails.map(async (email) => {
      const url = new URL('/get-emlContent', endpoint);
      url.searchParams.set('messageId', email.messageId);
      const eml = EmlContent.parse(await (await fetch(url)).json());
      return {
        messageId: email.messageId,
        to: email.destination.to,
        subject: email.subject,
        html: email.body.html ?? '',
        text: email.body.text ?? '',
        from: email.from,
        headers: Object.fromEntries(
          (email.headers ?? []).map((header) => [header.name, header.value]),
        ),
        eml: Buffer.from(eml.body.data),
        inlineImages: (email.attachments ?? []).flatMap((attachment) =>
          attachment.contentId === undefined
            ? []
            : [
                {
                  contentId: attachment.contentId,
                  contentType: attachment.contentType,
                  ...(attachment.contentDisposition === undefined
                    ? {}
                    : { contentDisposition: attachment.contentDisposition }),
                  content: Buffer.from(attachment.content, 'base64'),
                },
              ],
        ),
      };
    }),
  );
}

/**
 * The store of the local SES running in this process (`startEmbeddedSes` runs aws-ses-v2-local in-process, and
 * CommonJS loads its store module once, so this is the very store the server writes).
 */
const sesStore: { getStoreReadonly(): { emails: Array<{ destination: { to: string[] } }> } } =
  createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js');

/**
 * How many emails each recipient address has received at the local SES running in this process. It reads the
 * store directly: serving thousands of digests (charts included) as one JSON answer of `/store` would take
 * hundreds of megabytes, and only the addresses are needed.
 */
export function countDeliveredRecipients(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const email of sesStore.getStoreReadonly().emails) {
    for (const to of email.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  return counts;
}

/**
 * Empties the local SES's store. aws-ses-v2-local keeps one store per process, shared by every server it
 * starts, so a run that counts what it sent clears what earlier runs in the process left.
 */
export async function clearDeliveredEmails(endpoint: string): Promise<void> {
  const response = await fetch(new URL('/clear-store', endpoint), { method: 'POST' });
  if (!response.ok)
    throw new Error(`the local SES did not clear its store (HTTP ${response.status})`);
}
