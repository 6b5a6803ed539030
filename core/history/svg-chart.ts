/**
 * The history page's charts, drawn on the server as SVG markup so they work with no JavaScript: a line of the
 * account's likes (or views) with labelled axes, its gaps drawn as gaps (shaded, the line broken), and, on the
 * likes chart, a marker per night a digest judged that links to that night's details below the chart.
 *
 * Styling is by class (the page's stylesheet) and presentation attributes: the pages' Content Security Policy
 * allows no inline styles.
 */
import { CAUSE_NAMES } from '../causes.ts';
import { formatCount } from '../format.ts';
import { type HtmlValue, html, type SafeHtml } from '../pages/html.ts';
import { DAY_MS } from '../time.ts';
import type { AccountHistory, HistoryNight, HistoryPoint } from './series.ts';
import { VERDICT_WORDS } from './words.ts';

/** The drawing's own size: close to a phone's width, so its text is read at about its own size there. */
const WIDTH = 360;
const HEIGHT = 200;
const PLOT = { left: 44, right: 352, top: 12, bottom: 172 };

/** How many value lines the y axis gets, at most. */
const Y_TICKS = 4;

/** What one chart shows. */
export interface HistoryChartInput {
  history: AccountHistory;
  metric: 'likes' | 'views';
  /** The subscriber's zone: the x axis's dates are theirs. */
  timeZone: string;
  /** The id of the chart's title element (for `aria-labelledby`). */
  id: string;
  /** Said of the chart as its accessible name. */
  title: string;
  /**
   * The address of a night's entry on this page. A bare `#night-…` would resolve against the pages' `<base>`
   * and leave the page, so it is this page's own address with the fragment.
   */
  nightHref(localDate: string): string;
}

/** The chart as inline SVG. */
export function historyChartSvg(input: HistoryChartInput): SafeHtml {
  const { history, metric } = input;
  const values = history.points.flatMap((point) => {
    const value = metricOf(point, metric);
    return value === undefined ? [] : [{ at: point.at, value }];
  });
  const span = Math.max(1, history.to - history.from);
  const x = (at: number) => PLOT.left + ((at - history.from) / span) * (PLOT.right - PLOT.left);
  const ticks = niceTicks(
    Math.min(...values.map((point) => point.value)),
    Math.max(...values.map((point) => point.value)),
  );
  const low = ticks[0] ?? 0;
  const high = ticks[ticks.length - 1] ?? 1;
  const y = (value: number) =>
    PLOT.bottom - ((value - low) / (high - low || 1)) * (PLOT.bottom - PLOT.top);
  const r = (value: number) => Math.round(value * 10) / 10;

  const gaps = history.gaps.map(
    (gap) =>
      html`<rect class="gap" x="${r(x(gap.from))}" y="${PLOT.top}" width="${r(Math.max(1, x(gap.to) - x(gap.from)))}" height="${PLOT.bottom - PLOT.top}"><title>No data from the monitor</title></rect>`,
  );
  const yAxis = ticks.map(
    (tick) =>
      html`<line class="grid" x1="${PLOT.left}" x2="${PLOT.right}" y1="${r(y(tick))}" y2="${r(y(tick))}"></line><text class="axis" x="${PLOT.left - 4}" y="${r(y(tick) + 3)}" text-anchor="end">${shortCount(tick)}</text>`,
  );
  const xAxis = dateTicks(history.from, history.to, input.timeZone).map(
    (tick) =>
      html`<line class="grid" x1="${r(x(tick.at))}" x2="${r(x(tick.at))}" y1="${PLOT.top}" y2="${PLOT.bottom}"></line><text class="axis" x="${r(x(tick.at))}" y="${PLOT.bottom + 14}" text-anchor="middle">${tick.label}</text>`,
  );
  const lines = segments(history, metric).map(
    (segment) =>
      html`<polyline class="line ${metric}" points="${segment.map((point) => `${r(x(point.at))},${r(y(point.value))}`).join(' ')}"></polyline>`,
  );
  const markers: HtmlValue[] =
    metric === 'likes'
      ? history.nights.map((night) => marker(night, input.nightHref(night.localDate), values, x, y))
      : [];
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${input.id}" data-metric="${metric}">
<title id="${input.id}">${input.title}</title>
${gaps}${yAxis}${xAxis}
<line class="axis-line" x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}"></line>
${lines}${markers}
</svg>`;
}

function metricOf(point: HistoryPoint, metric: 'likes' | 'views'): number | undefined {
  return metric === 'likes' ? point.likes : point.views;
}

/** The line's unbroken stretches: a gap (or a reading without the metric) ends one. */
function segments(
  history: AccountHistory,
  metric: 'likes' | 'views',
): Array<Array<{ at: number; value: number }>> {
  const runs: Array<Array<{ at: number; value: number }>> = [];
  let run: Array<{ at: number; value: number }> = [];
  let previous: number | undefined;
  for (const point of history.points) {
    const value = metricOf(point, metric);
    const broken =
      previous !== undefined &&
      history.gaps.some((gap) => gap.from >= (previous as number) && gap.to <= point.at);
    if (value === undefined || broken) {
      if (run.length > 0) runs.push(run);
      run = [];
    }
    if (value !== undefined) run.push({ at: point.at, value });
    previous = point.at;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * A night's marker: on the likes line at the night's end, coloured by verdict, a link to the night's details
 * below the chart, with a larger invisible target so a finger can hit it.
 */
function marker(
  night: HistoryNight,
  href: string,
  values: ReadonlyArray<{ at: number; value: number }>,
  x: (at: number) => number,
  y: (value: number) => number,
): SafeHtml {
  const nearest = values.reduce<{ at: number; value: number } | undefined>(
    (best, point) =>
      best === undefined || Math.abs(point.at - night.asOf) < Math.abs(best.at - night.asOf)
        ? point
        : best,
    undefined,
  );
  const cx = Math.round(x(night.asOf) * 10) / 10;
  const cy = nearest === undefined ? PLOT.bottom : Math.round(y(nearest.value) * 10) / 10;
  const cause = night.topCause === undefined ? '' : ` · ${CAUSE_NAMES[night.topCause].title}`;
  const label = `${night.localDate}: ${VERDICT_WORDS[night.verdict]}${night.lost > 0 ? `, ${formatCount(night.lost)} likes lost` : ''}${cause}`;
  return html`<a class="marker ${night.verdict}" href="${href}" aria-label="${label}"><title>${label}</title><circle class="target" cx="${cx}" cy="${cy}" r="11"></circle><circle cx="${cx}" cy="${cy}" r="${night.verdict === 'none' ? 3 : 5}"></circle></a>`;
}

/** Round axis values spanning `[min, max]`: 1, 2 or 5 times a power of ten apart. */
export function niceTicks(min: number, max: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const spread = max - min || Math.max(1, Math.abs(max) * 0.1);
  const rough = spread / (Y_TICKS - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  // Counts are whole numbers: no step below one.
  const step = Math.max(1, ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power);
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  // Up to the first tick at or above the maximum, so the line never runs off the top.
  for (let tick = start; ticks.length < 2 || (ticks.at(-1) as number) < max; tick += step) {
    ticks.push(tick);
  }
  return ticks;
}

/** `950`, `12k`, `1.5k`, `2.4M`: axis labels that fit beside a phone-sized chart. */
export function shortCount(value: number): string {
  const abs = Math.abs(value);
  const sign = value < 0 ? '−' : '';
  const scaled = (divisor: number, unit: string) => {
    const shown = abs / divisor;
    return `${sign}${shown >= 10 ? Math.round(shown) : Math.round(shown * 10) / 10}${unit}`;
  };
  if (abs >= 1e6) return scaled(1e6, 'M');
  if (abs >= 1e3) return scaled(1e3, 'k');
  return `${sign}${abs}`;
}

/** Date labels along the x axis: every day, week or fortnight back from the period's end, in the subscriber's zone. */
function dateTicks(
  from: number,
  to: number,
  timeZone: string,
): Array<{ at: number; label: string }> {
  const days = Math.round((to - from) / DAY_MS);
  const every = days <= 7 ? 1 : days <= 30 ? 7 : 15;
  const format = dayFormat(timeZone);
  const ticks: Array<{ at: number; label: string }> = [];
  for (let day = 0; day <= days; day += every) {
    const at = to - day * DAY_MS;
    ticks.push({ at, label: format.format(new Date(at)) });
  }
  return ticks.filter((tick) => tick.at >= from).reverse();
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dayFormats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric' });
    } catch {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: 'UTC',
        month: 'short',
        day: 'numeric',
      });
    }
    if (dayFormats.size < 1000) dayFormats.set(timeZone, format);
  }
  return format;
}
