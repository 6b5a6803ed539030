import { describe, expect, it } from 'vitest';
import {
  confidenceWord,
  describeFailureReason,
  displayHandle,
  FAILURE_REASON_WORDS,
  formatCount,
  formatLocalDate,
  joinWithAnd,
  slowdownPercent,
} from '../../../../core/digest/wording.ts';
import { PollFailureReason } from '../../../../core/model.ts';

describe('formatCount', () => {
  it('should use en-US thousands separators and whole numbers', () => {
    expect(formatCount(1240)).toBe('1,240');
    expect(formatCount(37184120)).toBe('37,184,120');
    expect(formatCount(419.6)).toBe('420');
  });
});

describe('confidenceWord', () => {
  it('should say likely from 0.7, possibly from 0.4 and unclear below', () => {
    expect(confidenceWord(0.95)).toBe('likely');
    expect(confidenceWord(0.7)).toBe('likely');
    expect(confidenceWord(0.69)).toBe('possibly');
    expect(confidenceWord(0.4)).toBe('possibly');
    expect(confidenceWord(0.39)).toBe('unclear');
    expect(confidenceWord(0)).toBe('unclear');
  });
});

describe('slowdownPercent', () => {
  it('should compare the gain with the baseline', () => {
    expect(slowdownPercent(120, 400)).toBe(70);
    expect(slowdownPercent(500, 400)).toBe(0);
  });

  it('should give nothing without a usable baseline', () => {
    expect(slowdownPercent(120, null)).toBeUndefined();
    expect(slowdownPercent(120, 0)).toBeUndefined();
  });
});

describe('describeFailureReason', () => {
  it.each(PollFailureReason.options)('should put %s into plain words', (reason) => {
    const words = describeFailureReason(reason);
    expect(words).toBe(FAILURE_REASON_WORDS[reason]);
    expect(words).not.toContain('_');
  });

  it('should admit the data was incomplete when there is no reason', () => {
    expect(describeFailureReason(undefined)).toBe(
      'the data we did get was too incomplete to judge',
    );
  });
});

describe('displayHandle', () => {
  it('should prefix one @ and strip control characters', () => {
    expect(displayHandle('clorismen')).toBe('@clorismen');
    expect(displayHandle('@clorismen')).toBe('@clorismen');
    expect(displayHandle('a\r\nb')).toBe('@a b');
  });
});

describe('joinWithAnd', () => {
  it('should join one, two and many items', () => {
    expect(joinWithAnd([])).toBe('');
    expect(joinWithAnd(['a'])).toBe('a');
    expect(joinWithAnd(['a', 'b'])).toBe('a and b');
    expect(joinWithAnd(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('formatLocalDate', () => {
  it('should spell out the local date without shifting it', () => {
    expect(formatLocalDate('2026-11-25')).toBe('Wednesday, November 25, 2026');
  });
});
