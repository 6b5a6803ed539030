import { describe, expect, it } from 'vitest';
import { describeLogCounts, shortLogLine } from '../../cli/function-logs.ts';

describe('the functions’ log lines in the CLI', () => {
  it('should keep the message and the entry’s own fields, without the Lambda context', () => {
    const line = shortLogLine({
      level: 'ERROR',
      message: 'invocation failed',
      timestamp: '2026-12-07T05:46:30.482Z',
      service: 'likewatch',
      cold_start: false,
      function_name: 'likewatch-local-digest-worker',
      function_request_id: 'ff362fd0',
      sampling_rate: 0,
      jobs: 3,
      error: { name: 'MailerError', message: 'SES throttled', stack: 'MailerError: …\n    at x' },
    });
    expect(line).toBe(
      'digest-worker error: invocation failed (jobs=3, error=MailerError: SES throttled)',
    );
  });

  it('should count lines by level for the summary', () => {
    expect(describeLogCounts({})).toBe('none');
    expect(describeLogCounts({ warn: 1, error: 2, info: 3 })).toBe(
      '1 warning, 2 errors, 3 info lines',
    );
  });
});
