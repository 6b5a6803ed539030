import { describe, expect, it } from 'vitest';
import { CAUSE_NAMES } from '../../../../core/causes.ts';
import { CAUSE_ADVICE } from '../../../../core/digest/advice.ts';
import { buildDigestDocument } from '../../../../core/digest/compose.ts';
import { Cause } from '../../../../core/model.ts';
import { digestInput, purgedAccount } from '../../../fakes/digest-accounts.ts';

describe('CAUSE_ADVICE', () => {
  it.each(Cause.options)('should give %s a short paragraph and two to four actions', (cause) => {
    const advice = CAUSE_ADVICE[cause];
    expect(advice.summary.length).toBeGreaterThan(40);
    expect(advice.summary.length).toBeLessThan(400);
    expect(advice.actions.length).toBeGreaterThanOrEqual(2);
    expect(advice.actions.length).toBeLessThanOrEqual(4);
    expect(CAUSE_NAMES[cause].title).not.toBe('');
  });

  it('should say public data cannot tell removal by TikTok from the creator deleting or hiding it', () => {
    const { summary } = CAUSE_ADVICE.content_removed_or_restricted;
    expect(summary).toMatch(/cannot tell/);
    expect(summary).toMatch(/TikTok removed/);
    expect(summary).toMatch(/creator deleted/);
    expect(summary).toMatch(/private/);
  });

  it.each(Cause.options)('should show the advice for %s when it is the top cause', (cause) => {
    const purged = purgedAccount();
    purged.explanation.causes = [{ cause, confidence: 0.8, likes: 1240, evidence: ['e'] }];
    const [section] = buildDigestDocument(digestInput([purged])).accounts;
    expect(section?.advice?.summary).toBe(CAUSE_ADVICE[cause].summary);
    expect(section?.advice?.heading).toBe(`What to do about ${CAUSE_NAMES[cause].phrase}`);
  });

  it('should make the advice conditional when the top cause is a weak fit', () => {
    const purged = purgedAccount();
    purged.explanation.causes = [
      { cause: 'platform_glitch', confidence: 0.3, likes: 1240, evidence: [] },
    ];
    const [section] = buildDigestDocument(digestInput([purged])).accounts;
    expect(section?.advice?.heading).toBe(
      'If it turns out to be a TikTok counting glitch, what to do',
    );
  });
});
