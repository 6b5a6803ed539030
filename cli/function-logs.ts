/**
 * The functions' log lines as a person reads them when the CLI runs the functions locally: one short line per
 * entry instead of the JSON CloudWatch gets, and a count for the summary.
 */
import { type LogLine, redirectFunctionLogs } from '../lambdas/_shared/log-sink.ts';

/** Fields every line carries (the Lambda context): left out of the short line. */
const CONTEXT_FIELDS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
]);

/** The local runtime's function names carry this prefix (see `local/invoke.ts`). */
const LOCAL_FUNCTION_PREFIX = 'likewatch-local-';

/** What a line of each level is called in the short lines and the summary. */
const LEVEL_NOUNS: Record<string, string> = { warn: 'warning', error: 'error', critical: 'error' };

/** How many lines of each level the functions logged. */
export type LogCounts = Record<string, number>;

/**
 * Prints each log line of the functions through `print` as one short line until `stop` is called; `counts`
 * holds how many lines of each level (lower-cased) were seen.
 */
export function showFunctionLogs(print: (line: string) => void): {
  counts: LogCounts;
  stop: () => void;
} {
  const counts: LogCounts = {};
  const stop = redirectFunctionLogs((line) => {
    const level = String(line.level ?? 'info').toLowerCase();
    counts[level] = (counts[level] ?? 0) + 1;
    print(shortLogLine(line));
  });
  return { counts, stop };
}

/** `poll-worker warning: TikTok account needs re-authorization (handle=cozy.crafts, code=invalid_grant)`. */
export function shortLogLine(line: LogLine): string {
  const level = String(line.level ?? 'info').toLowerCase();
  const noun = LEVEL_NOUNS[level] ?? level;
  const origin = String(line.function_name ?? '').replace(LOCAL_FUNCTION_PREFIX, '');
  const details = Object.entries(line)
    .filter(([key, value]) => !CONTEXT_FIELDS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  return `${origin ? `${origin} ` : ''}${noun}: ${String(line.message ?? '')}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

/** A field's value on one line; an error (logged as an object) by its name and message. */
function fieldText(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const { name, message } = value as { name?: unknown; message?: unknown };
    return `${name ? `${String(name)}: ` : ''}${String(message)}`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `1 warning, 2 errors`, or `none`, for the summary. */
export function describeLogCounts(counts: LogCounts): string {
  const parts = Object.entries(counts).map(([level, count]) => {
    const noun = LEVEL_NOUNS[level] ?? `${level} line`;
    return `${count} ${noun}${count === 1 ? '' : 's'}`;
  });
  return parts.length === 0 ? 'none' : parts.join(', ');
}
