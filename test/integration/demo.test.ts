import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoResult, runDemo } from '../../local/demo.ts';

describe('the demo on the embedded default', () => {
  let result: DemoResult;

  beforeAll(async () => {
    result = await runDemo({
      asOf: new Date('2026-11-24T07:00:00Z'),
      seed: 1,
      days: 14,
      pollEveryHours: 4,
      onProgress: () => undefined,
    });
  });
  afterAll(async () => {
    await result?.services.close();
  });

  it('should store a poll for every account in every slot', () => {
    const slots = (14 * 24) / 4 + 1;
    expect(result.polls.runs).toBe(slots);
    expect(result.polls.accounts).toBe(slots * result.accounts.length);
    expect(result.polls.ok + result.polls.partial + result.polls.failed).toBe(
      result.polls.accounts,
    );
  });

  it('should find the overnight loss and send one digest per subscriber', () => {
    expect(result.digests.losses).toBeGreaterThanOrEqual(1);
    expect(result.digests.sent).toBe(result.subscribers.length);
    expect(result.emails).toHaveLength(result.subscribers.length);
  });

  it("should name the drop account's overnight like loss in the digests of its followers, read back from SES", async () => {
    const handle = `@${result.dropAccount.handle}`;
    const followers = result.subscribers.filter((s) =>
      s.accountIds.includes(result.dropAccount.id),
    );
    expect(followers.length).toBeGreaterThan(0);
    for (const follower of followers) {
      const email = result.emails.find((candidate) => candidate.to.includes(follower.email));
      expect(email, `digest for ${follower.id}`).toBeDefined();
      const parsed = await simpleParser(email?.eml ?? Buffer.alloc(0));
      expect(parsed.subject).toContain(handle);
      expect(parsed.subject).toMatch(/lost [\d,]+ likes/);
      expect(parsed.text).toContain(handle);
      expect(parsed.text).toMatch(/[\d,]+ likes? (were )?(lost|removed)/i);
      expect(parsed.html).toContain(result.dropAccount.handle);
      const oneClick = parsed.headerLines.find((header) => header.key === 'list-unsubscribe-post');
      expect(oneClick?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    }
  });

  it('should not report a loss to a subscriber who follows only ordinary accounts', async () => {
    const quiet = result.subscribers.find((s) => !s.accountIds.includes(result.dropAccount.id));
    const email = result.emails.find((candidate) => candidate.to.includes(quiet?.email ?? ''));
    expect(email?.subject).not.toMatch(/lost [\d,]+ likes/);
  });
});
