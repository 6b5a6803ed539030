/** Reads back what the local SES (aws-ses-v2-local) received, through its HTTP store API. */
import { z } from 'zod';

const StoredEmail = z.object({
  messageId: z.string(),
  subject: z.string(),
  destination: z.object({ to: z.array(z.string()) }),
  body: z.object({ html: z.string().optional(), text: z.string().optional() }),
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
  /** The RFC 5322 message (.eml). */
  eml: Buffer;
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
        eml: Buffer.from(eml.body.data),
      };
    }),
  );
}
