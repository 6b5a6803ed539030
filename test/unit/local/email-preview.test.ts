import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '../../../core/ports.ts';
import { buildEml } from '../../../local/email-preview.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: 'maya@example.com',
    subject: 'Maya’s likes fell 12% overnight — here is why 🍰',
    text: 'Plain text with ümlauts.',
    html: '<p>Chart: <img src="cid:chart-1@likewatch" alt=""></p>',
    headers: { 'List-Unsubscribe': '<https://likewatch.example/u/abc>' },
    inlineImages: [
      {
        contentId: 'chart-1@likewatch',
        filename: 'chart-1.png',
        contentType: 'image/png',
        content: PNG,
      },
    ],
    ...overrides,
  };
}

describe('buildEml', () => {
  it('should write a message a mail reader opens with both parts, its headers and the chart inline', async () => {
    // Arrange
    const date = new Date('2026-11-25T07:00:00Z');
    // Act
    const eml = await buildEml(email(), {
      from: 'likewatch <digest@likewatch.example>',
      date,
      messageId: 'fixed@likewatch.local',
    });
    const parsed = await simpleParser(eml);
    // Assert
    expect(parsed.subject).toBe(email().subject);
    expect(parsed.from?.text).toContain('digest@likewatch.example');
    expect(parsed.date?.toISOString()).toBe(date.toISOString());
    expect(parsed.messageId).toBe('<fixed@likewatch.local>');
    expect(parsed.headers.get('list')).toMatchObject({
      unsubscribe: { url: 'https://likewatch.example/u/abc' },
    });
    expect(parsed.text?.trim()).toBe('Plain text with ümlauts.');
    // The reader resolved the HTML's cid: link to the inline part (mailparser turns it into a data: URI).
    expect(parsed.html).toContain(`data:image/png;base64,${Buffer.from(PNG).toString('base64')}`);
    expect(parsed.attachments).toHaveLength(1);
    const [chart] = parsed.attachments;
    expect(chart?.contentId).toBe('<chart-1@likewatch>');
    expect(chart?.contentDisposition).toBe('inline');
    expect(chart?.related).toBe(true);
    expect(new Uint8Array(chart?.content ?? [])).toEqual(PNG);
    expect(eml.toString('latin1')).toMatch(/multipart\/alternative/);
    expect(eml.toString('latin1')).toMatch(/multipart\/related/);
  });

  it('should refuse a header value with a line break instead of folding it away', async () => {
    const options = { from: 'digest@likewatch.example', date: new Date() };
    await expect(
      buildEml(email({ subject: 'hi\r\nBcc: all@example.com' }), options),
    ).rejects.toThrow(/line break/);
    await expect(buildEml(email({ headers: { 'X-Note': 'a\nb' } }), options)).rejects.toThrow(
      /line break/,
    );
  });
});
