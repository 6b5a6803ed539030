/**
 * Sends email through Amazon SES (API v2): HTML and plain-text parts, custom headers (List-Unsubscribe) and
 * inline images by Content-ID, all in SES's Simple content so SES builds the MIME itself.
 */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { MailerError } from '../core/errors.ts';
import type { Mailer, OutgoingEmail } from '../core/ports.ts';

/** Options of the SES mailer. */
export interface SesMailerOptions {
  /** The verified sender, e.g. `likewatch <digest@example.com>`. */
  from: string;
  configurationSet?: string;
}

/** SES error names after which trying again later can succeed. */
const RETRYABLE = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'LimitExceededException',
  'SendingPausedException',
  'InternalFailure',
  'ServiceUnavailable',
]);

/** Throttling, server errors and no answer at all can pass; a request SES refused as invalid will not. */
function isRetryable(error: unknown, name: string): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return RETRYABLE.has(name) || status === undefined || status === 429 || status >= 500;
}

/** Implements the core's Mailer port with SESv2 SendEmail. */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly options: SesMailerOptions,
  ) {}

  async send(email: OutgoingEmail): Promise<string> {
    const headers = Object.entries(email.headers ?? {}).map(([Name, Value]) => {
      // A header value with a line break would let content add headers of its own.
      if (/[\r\n]/.test(Name) || /[\r\n]/.test(Value)) {
        throw new MailerError(`header ${JSON.stringify(Name)} contains a line break`, false);
      }
      return { Name, Value };
    });
    if (/[\r\n]/.test(email.subject) || /[\r\n]/.test(email.to)) {
      throw new MailerError('subject or recipient contains a line break', false);
    }
    try {
      const result = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.options.from,
          Destination: { ToAddresses: [email.to] },
          ConfigurationSetName: this.options.configurationSet,
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                Html: { Data: email.html, Charset: 'UTF-8' },
              },
              Headers: headers.length > 0 ? headers : undefined,
              Attachments: email.inlineImages?.map((image) => ({
                RawContent: image.content,
                FileName: image.filename,
                ContentId: image.contentId,
                ContentType: image.contentType,
                ContentDisposition: 'INLINE',
                ContentTransferEncoding: 'BASE64',
              })),
            },
          },
        }),
      );
      if (!result.MessageId) throw new MailerError('SES returned no message id', true);
      return result.MessageId;
    } catch (error) {
      if (error instanceof MailerError) throw error;
      const name = (error as { name?: string }).name ?? 'Error';
      throw new MailerError(`SES SendEmail failed: ${name}`, isRetryable(error, name), {
        cause: error,
      });
    }
  }
}
