/** Reads back what the local SES (aws-ses-v2-local) received, through its HTTP store API. */
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
