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

  it('should find the overnight loss and send one digest per active subscriber, on both mornings', () => {
    const active = result.subscribers.filter((s) => (s.status ?? 'active') === 'active');
    expect(result.digests.losses).toBeGreaterThanOrEqual(1);
    expect(result.digests.slowdowns).toBeGreaterThanOrEqual(1);
    expect(result.digests.sent).toBe(active.length);
    expect(result.emails).toHaveLength(active.length);
    expect(result.previousDigests.sent).toBe(active.length);
    const unsubscribed = result.subscribers.find((s) => s.status === 'unsubscribed');
    expect(result.emails.flatMap((email) => email.to)).not.toContain(unsubscribed?.email);
  });

  it('should exercise every part of the digest in the agency’s email', async () => {
    const email = result.emails.find((candidate) => candidate.to.includes('team@agency.example'));
    const parsed = await simpleParser(email?.eml ?? Buffer.alloc(0));
    expect(parsed.text).toContain('Since your last digest:');
    expect(parsed.text).toMatch(/likes @pixel\.gaming lost yesterday are back/);
    expect(parsed.text).toMatch(
      /Yesterday’s drop continued: [\d,]+ more likes? (was|were) removed from @luna\.bakes/,
    );
    expect(parsed.text).toContain('likes are coming in slower than usual');
    expect(parsed.text).toContain('Reconnect @cozy.crafts');
    expect(parsed.text).toContain('Was this the cause?');
    expect(email?.inlineImages.length).toBeGreaterThanOrEqual(2);
    for (const image of email?.inlineImages ?? []) {
      expect(email?.html).toContain(`src="cid:${image.contentId}"`);
    }
  });

  it('should send the all-clear to the subscriber who follows only ordinary accounts', () => {
    const email = result.emails.find((candidate) => candidate.to.includes('kenji@example.net'));
    expect(email?.subject).toMatch(/^All clear/);
  });

  it("should name the drop account's overnight like loss in the digests of its followers, read back from SES", async () => {
    const handle = `@${result.dropAccount.handle}`;
    const followers = result.subscribers.filter(
      (s) => s.accountIds.includes(result.dropAccount.id) && s.status !== 'unsubscribed',
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

  it('should not report a loss to a subscriber who does not follow the drop account', async () => {
    const quiet = result.subscribers.find((s) => !s.accountIds.includes(result.dropAccount.id));
    const email = result.emails.find((candidate) => candidate.to.includes(quiet?.email ?? ''));
    expect(email?.subject).not.toMatch(/lost [\d,]+ likes/);
  });
});
