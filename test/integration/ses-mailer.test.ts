import { SESv2Client } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../adapters/ses-mailer.ts';
import { MailerError } from '../../core/errors.ts';
import { readDeliveredEmails } from '../../local/local-ses.ts';
import { type EmbeddedService, startEmbeddedSes } from '../../local/services.ts';

describe('SesMailer (against the local SES API)', () => {
  let ses: EmbeddedService;
  let mailer: SesMailer;

  beforeAll(async () => {
    ses = await startEmbeddedSes();
    const client = new SESv2Client({
      endpoint: ses.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    mailer = new SesMailer(client, { from: 'likewatch <digest@likewatch.test>' });
  });
  afterAll(async () => {
    await ses.close();
  });

  it('should deliver subject, both parts and the unsubscribe headers', async () => {
    // Act
    const messageId = await mailer.send({
      to: 'maya@example.com',
      subject: '@maya.bakes lost 1,240 likes overnight',
      text: 'Plain part: 1,240 likes',
      html: '<p>HTML part: 1,240 likes</p>',
      headers: {
        'List-Unsubscribe': '<https://likewatch.test/unsubscribe?token=abc>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    // Assert
    const email = (await readDeliveredEmails(ses.endpoint)).find((e) => e.messageId === messageId);
    expect(email).toBeDefined();
    const parsed = await simpleParser(email?.eml ?? Buffer.alloc(0));
    expect(parsed.subject).toBe('@maya.bakes lost 1,240 likes overnight');
    expect(parsed.text).toContain('Plain part: 1,240 likes');
    expect(parsed.html).toContain('HTML part: 1,240 likes');
    expect(email?.to).toEqual(['maya@example.com']);
  });

  it('should refuse a header or subject with a line break before calling SES', async () => {
    const base = { to: 'maya@example.com', subject: 'ok', text: 't', html: '<p>h</p>' };
    await expect(
      mailer.send({
        ...base,
        headers: { 'List-Unsubscribe': '<https://x>\r\nBcc: victim@example.com' },
      }),
    ).rejects.toBeInstanceOf(MailerError);
    await expect(
      mailer.send({ ...base, subject: 'hi\r\nBcc: victim@example.com' }),
    ).rejects.toThrow(/line break/);
  });

  it('should report an unreachable SES as a retryable MailerError', async () => {
    // Arrange: a port where nothing listens.
    const unreachable = new SesMailer(
      new SESv2Client({
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      }),
      { from: 'digest@likewatch.test' },
    );
    // Act
    const error = await unreachable
      .send({ to: 'maya@example.com', subject: 's', text: 't', html: 'h' })
      .catch((caught: unknown) => caught);
    // Assert
    expect(error).toBeInstanceOf(MailerError);
    expect((error as MailerError).retryable).toBe(true);
  });
});
