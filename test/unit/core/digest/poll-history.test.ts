import { describe, expect, it } from 'vitest';
import { latestFailureReason, traceVideo } from '../../../../core/digest/poll-history.ts';
import type { Poll } from '../../../../core/model.ts';
import { failedPoll, okPoll, video } from '../../../fakes/digest-accounts.ts';

describe('traceVideo', () => {
  it('should take "before" from the peak preceding the largest drop and "after" from the latest poll', () => {
    const polls: Poll[] = [
      okPoll('2026-11-24T05:00:00Z', [video('v', 1000)]),
      okPoll('2026-11-24T12:00:00Z', [video('v', 1100, { title: 'Hello' })]),
      okPoll('2026-11-24T13:00:00Z', [video('v', 600)]),
      okPoll('2026-11-25T05:00:00Z', [video('v', 650)]),
    ];
    expect(traceVideo(polls, 'v')).toEqual({
      title: 'Hello',
      before: 1100,
      after: 650,
      vanished: false,
    });
  });

  it('should treat a video missing from a complete poll as vanished', () => {
    const polls: Poll[] = [
      okPoll('2026-11-24T05:00:00Z', [video('v', 800), video('w', 1)]),
      okPoll('2026-11-25T05:00:00Z', [video('w', 2)]),
    ];
    expect(traceVideo(polls, 'v')).toEqual({ before: 800, vanished: true });
  });

  it('should not treat a video missing from a partial or failed poll as vanished', () => {
    const polls: Poll[] = [
      okPoll('2026-11-24T05:00:00Z', [video('v', 800)]),
      { at: '2026-11-24T12:00:00Z', status: 'partial', reason: 'missing_pages', videos: [] },
      failedPoll('2026-11-25T05:00:00Z', 'timeout'),
    ];
    expect(traceVideo(polls, 'v')).toEqual({ before: 800, after: 800, vanished: false });
  });

  it('should know nothing about a video no poll listed', () => {
    expect(traceVideo([okPoll('2026-11-24T05:00:00Z', [])], 'v')).toEqual({ vanished: false });
  });
});

describe('latestFailureReason', () => {
  it('should return the reason of the latest failed or partial poll that has one', () => {
    const polls: Poll[] = [
      failedPoll('2026-11-24T05:00:00Z', 'timeout'),
      { at: '2026-11-24T12:00:00Z', status: 'partial', reason: 'missing_pages', videos: [] },
      failedPoll('2026-11-24T18:00:00Z'),
      okPoll('2026-11-25T05:00:00Z', []),
    ];
    expect(latestFailureReason(polls)).toBe('missing_pages');
  });

  it('should return undefined when no poll recorded a reason', () => {
    expect(latestFailureReason([failedPoll('2026-11-24T05:00:00Z')])).toBeUndefined();
  });
});
