/**
 * Decides the likes chart of one account section: which readings it shows, where last night and the day
 * boundaries fall, and the words that say what the picture shows (alt text and caption).
 */
import type { Poll } from '../model.ts';
import { DAY_MS, HOUR_MS, localDateAndHour } from '../time.ts';
import type { AccountNight } from './account-night.ts';
import { CHART_HEIGHT, CHART_WIDTH, type LikesChange } from './chart.ts';
import type { DigestChart } from './document.ts';
import { countOf } from './wording.ts';

/** How far back the chart reaches. */
export const CHART_DAYS = 7;

/** Day boundaries are found by stepping this far: fine enough for zones offset by 30 or 45 minutes. */
const DAY_MARK_STEP_MS = 15 * 60_000;

/** Where the chart sits in the digest. */
export interface ChartContext {
  window: { from: string; to: string };
  /** The subscriber's zone: day boundaries are their midnights. */
  timeZone: string;
  contentId: string;
}

/**
 * The chart for an account's night, or undefined when there is too little to draw (no two consecutive
 * readings of the account's total likes in the last week).
 */
export function buildLikesChart(
  night: AccountNight,
  context: ChartContext,
): DigestChart | undefined {
  const to = Date.parse(context.window.to);
  const from = to - CHART_DAYS * DAY_MS;
  const nightFrom = Date.parse(context.window.from);
  const changes = likesChanges(night.input.history ?? []).filter(
    (change) => change.from >= from && change.to <= to,
  );
  const before = changes.filter((change) => change.to <= nightFrom).map((change) => change.change);
  const during = changes.filter((change) => change.to > nightFrom).map((change) => change.change);
  if (during.length === 0) return undefined;

  const usual =
    before.length === 0 ? '' : `usually ${signed(median(before))} per reading before last night, `;
  const worst = Math.min(...during);
  const fall = worst < 0 ? `, with a fall of ${countOf(-worst, 'like')} between two readings` : '';
  return {
    contentId: context.contentId,
    alt:
      `Chart of ${night.handle}’s likes gained or lost between readings over the last ${CHART_DAYS} days, ` +
      `last night shaded: ${usual}${signed(median(during))} per reading last night${fall}.`,
    caption:
      `Likes gained (blue) or lost (red) between readings over the last ${CHART_DAYS} days, in likes on the left axis. ` +
      'Last night is shaded; the thin lines are midnights.',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    spec: {
      changes,
      from,
      to,
      night: { from: nightFrom, to },
      dayMarks: localMidnights(from, to, context.timeZone),
      dayLabels: weekdayLabels(from, to, context.timeZone),
      tone: night.severity === 'loss' ? 'loss' : 'slowdown',
    },
  };
}

/**
 * The change in total likes between each two consecutive readings. A failed poll (or one without a profile)
 * breaks the chain: no change is drawn across it, since we do not know when it happened.
 */
function likesChanges(polls: readonly Poll[]): LikesChange[] {
  const changes: LikesChange[] = [];
  let previous: { at: number; likes: number } | undefined;
  for (const poll of polls) {
    const at = Date.parse(poll.at);
    if (poll.status === 'failed' || poll.profile === undefined) {
      previous = undefined;
      continue;
    }
    const likes = poll.profile.likes;
    if (previous !== undefined)
      changes.push({ from: previous.at, to: at, change: likes - previous.likes });
    previous = { at, likes };
  }
  return changes;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `+1,240 likes`, `−918 likes`, `no change`. */
function signed(change: number): string {
  const rounded = Math.round(change);
  if (rounded === 0) return 'no change';
  return `${rounded > 0 ? '+' : '−'}${countOf(Math.abs(rounded), 'like')}`;
}

/** Each local day's weekday (`Mon`), centred on the day's local noon, within `(from, to)`. */
function weekdayLabels(
  from: number,
  to: number,
  timeZone: string,
): Array<{ at: number; label: string }> {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: 'numeric',
      hourCycle: 'h23',
    });
  } catch {
    return [];
  }
  const labels: Array<{ at: number; label: string }> = [];
  // Hour by hour, a label where the local clock reads noon.
  for (let at = Math.ceil(from / HOUR_MS) * HOUR_MS; at < to; at += HOUR_MS) {
    const parts = format.formatToParts(new Date(at));
    if (parts.find((part) => part.type === 'hour')?.value === '12') {
      labels.push({ at, label: parts.find((part) => part.type === 'weekday')?.value ?? '' });
    }
  }
  return labels;
}

/**
 * The instants in (from, to] where the local date in `timeZone` changes, to the step: the date is read every
 * hour, and step by step only within an hour in which it changed (a zone changes date at most once an hour).
 */
export function localMidnights(from: number, to: number, timeZone: string): number[] {
  const dateAt = (at: number) => localDateAndHour(new Date(at), timeZone).date;
  let previous: string;
  try {
    previous = dateAt(from);
  } catch {
    // An unknown zone costs the day lines, not the chart.
    return [];
  }
  const marks: number[] = [];
  for (let start = from; start < to; start += HOUR_MS) {
    const end = Math.min(start + HOUR_MS, to);
    const date = dateAt(end);
    if (date === previous) continue;
    for (let at = start + DAY_MARK_STEP_MS; at <= end; at += DAY_MARK_STEP_MS) {
      if (dateAt(at) !== previous) {
        marks.push(at);
        break;
      }
    }
    previous = date;
  }
  return marks;
}
