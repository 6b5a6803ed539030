/**
 * The history page of one account, for one subscriber: the charts of likes and views over the period, the
 * numbers behind them as a table, every night a digest judged (its verdict, top cause and evidence), and the
 * videos that lost most. Mobile first, one column; built with the escaping `html` tag throughout, since
 * handles, titles and evidence are creator-controlled.
 */
import { CAUSE_NAMES } from '../causes.ts';
import { safeTikTokUrl, toSingleLine } from '../digest/escape.ts';
import { formatLocalInstant } from '../digest/local-times.ts';
import { countOf, formatCount } from '../format.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import { layout } from '../pages/layout.ts';
import { localDateAndHour } from '../time.ts';
import {
  type AccountHistory,
  HISTORY_PERIODS,
  type HistoryNight,
  type HistoryPeriod,
} from './series.ts';
import { historyChartSvg } from './svg-chart.ts';
import { VERDICT_WORDS } from './words.ts';

/** Evidence sentences are engine text that may quote creator text: bounded like the digest's. */
const MAX_EVIDENCE_LENGTH = 400;
const MAX_TITLE_LENGTH = 100;

/** What the page shows and where its links go. */
export interface HistoryPageInput {
  /** `@handle` as the subscriber's digests show it. */
  handle: string;
  history: AccountHistory;
  period: HistoryPeriod;
  timeZone: string;
  /** The same page for another period, and its CSV. */
  periodHref(period: HistoryPeriod): string;
  csvHref: string;
  /** This page's own address (links to a night's entry are it with a fragment: the pages have a `<base>`). */
  selfHref: string;
  /** The evidence of the nights still kept in full, by local date. */
  evidence: ReadonlyMap<string, readonly string[]>;
  /** How long a night's evidence is kept, in days, to say why an older night has none. */
  evidenceDays: number;
}

/** The complete page. */
export function historyPage(input: HistoryPageInput): string {
  const { history, handle } = input;
  const nightHref = (localDate: string) => nightLink(input, localDate);
  return layout({
    title: `${handle}: likes and views`,
    wide: true,
    main: html`${periodNav(input)}
${summary(input)}
<figure class="history-chart">
${historyChartSvg({ history, metric: 'likes', timeZone: input.timeZone, id: 'likes-chart-title', nightHref, title: `${handle}’s total likes over the last ${input.period} days, with each night’s verdict marked` })}
<figcaption>Total likes. Markers are the nights your digests judged (red: likes removed, amber: slower than usual, grey: could not be read, green: nothing unusual); select one for its evidence. Shaded stretches are gaps in the monitor’s data.</figcaption>
</figure>
<figure class="history-chart">
${historyChartSvg({ history, metric: 'views', timeZone: input.timeZone, id: 'views-chart-title', nightHref, title: `${handle}’s total views over the last ${input.period} days` })}
<figcaption>Total views of the account’s videos.</figcaption>
</figure>
<p><a href="${input.csvHref}" download>Download these readings as CSV</a> (one row per poll, or per day before the last week).</p>
${dailyTable(input)}
${nightsList(input)}
${videosList(input)}`,
  });
}

function periodNav(input: HistoryPageInput): SafeHtml {
  return html`<nav class="periods" aria-label="Period"><ul>${HISTORY_PERIODS.map(
    (period) =>
      html`<li><a href="${input.periodHref(period)}"${period === input.period ? html` aria-current="page"` : ''}>${period} days</a></li>`,
  )}</ul></nav>`;
}

function summary(input: HistoryPageInput): SafeHtml {
  const { points, nights, gaps } = input.history;
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) {
    return html`<p>We have no readings of this account in the last ${input.period} days.</p>`;
  }
  const change = last.likes - first.likes;
  const losses = nights.filter((night) => night.verdict === 'loss').length;
  const slowdowns = nights.filter((night) => night.verdict === 'slowdown').length;
  return html`<p>Over the last ${input.period} days, total likes went from ${formatCount(first.likes)} to ${formatCount(last.likes)} (${change >= 0 ? '+' : '−'}${formatCount(Math.abs(change))}). Your digests found ${countOf(losses, 'night')} with likes removed and ${countOf(slowdowns, 'night')} with likes coming in slower than usual${gaps.length > 0 ? html`; the monitor’s data has ${countOf(gaps.length, 'gap')}` : ''}.</p>`;
}

/**
 * The numbers behind the charts, a row per local day (the latest reading of the day): the text a screen
 * reader reads instead of the pictures, and a check on them for everyone.
 */
function dailyTable(input: HistoryPageInput): SafeHtml {
  const days = new Map<string, { likes: number; views?: number }>();
  for (const point of input.history.points) {
    const day = localDateAndHour(new Date(point.at), input.timeZone).date;
    const entry: { likes: number; views?: number } = { likes: point.likes };
    if (point.views !== undefined) entry.views = point.views;
    days.set(day, entry);
  }
  const verdicts = new Map(input.history.nights.map((night) => [night.localDate, night]));
  let previous: number | undefined;
  const rows = [...days].map(([day, entry]) => {
    const change = previous === undefined ? '' : signed(entry.likes - previous);
    previous = entry.likes;
    const night = verdicts.get(day);
    return html`<tr><th scope="row">${day}</th><td>${formatCount(entry.likes)}</td><td>${change}</td><td>${entry.views === undefined ? '—' : formatCount(entry.views)}</td><td>${night === undefined ? '' : html`<a href="${nightLink(input, day)}">${VERDICT_WORDS[night.verdict]}</a>`}</td></tr>`;
  });
  return html`<details class="numbers">
<summary>The numbers behind the charts</summary>
<div class="table-wrap" role="region" aria-label="Daily likes and views" tabindex="0">
<table>
<caption>Likes and views at the last reading of each day (${input.timeZone} time)</caption>
<thead><tr><th scope="col">Day</th><th scope="col">Likes</th><th scope="col">Change</th><th scope="col">Views</th><th scope="col">Digest’s verdict</th></tr></thead>
<tbody>${rows}</tbody>
</table>
</div>
</details>`;
}

function nightsList(input: HistoryPageInput): SafeHtml {
  const nights = [...input.history.nights].reverse();
  if (nights.length === 0) {
    return html`<h2>Nights</h2><p>No digest has judged this account in the last ${input.period} days yet.</p>`;
  }
  return html`<h2>Nights, latest first</h2>
<ol class="nights">${nights.map((night) => nightItem(night, input))}</ol>`;
}

function nightItem(night: HistoryNight, input: HistoryPageInput): SafeHtml {
  const cause = night.topCause === undefined ? undefined : CAUSE_NAMES[night.topCause];
  const evidence = input.evidence.get(night.localDate);
  const lost = night.lost > 0 ? html` · ${countOf(night.lost, 'like')} removed` : '';
  const back =
    night.cameBack === undefined || night.lost === 0
      ? ''
      : night.cameBack === 0
        ? html`<p class="follow-up">None of the likes removed from the videos it named have come back since.</p>`
        : html`<p class="follow-up">Since then, ${formatCount(night.cameBack)} of the likes removed from the videos it named ${night.cameBack === 1 ? 'has' : 'have'} come back.</p>`;
  const details =
    night.verdict === 'none'
      ? ''
      : evidence !== undefined && evidence.length > 0
        ? html`<ul class="evidence">${evidence.map(
            (sentence) => html`<li>${toSingleLine(sentence, MAX_EVIDENCE_LENGTH)}</li>`,
          )}</ul>`
        : html`<p class="muted">The detailed evidence of a night is kept for ${input.evidenceDays} days.</p>`;
  return html`<li id="night-${night.localDate}" class="night ${night.verdict}" tabindex="-1">
<h3>${night.localDate}, night ending ${formatLocalInstant(night.asOf, night.asOf, input.timeZone)}: ${VERDICT_WORDS[night.verdict]}${lost}</h3>
${cause === undefined ? '' : html`<p><strong>Best fit: ${cause.title}.</strong> ${cause.description}</p>`}
${details}${back}
</li>`;
}

function videosList(input: HistoryPageInput): SafeHtml {
  const { videos } = input.history;
  if (videos.length === 0)
    return html`<h2>Videos that lost likes</h2><p>No video lost likes in this period.</p>`;
  return html`<h2>Videos that lost most likes</h2>
<ol class="videos">${videos.map((video) => {
    const title = toSingleLine(video.title ?? '', MAX_TITLE_LENGTH) || 'Untitled video';
    const href = safeTikTokUrl(video.url);
    return html`<li><strong>${title}</strong>: ${countOf(video.lost, 'like')} lost over the period, ${countOf(video.likes, 'like')} now${href === undefined ? '' : html` · <a href="${href}" rel="noopener noreferrer">Watch on TikTok</a>`}</li>`;
  })}</ol>`;
}

/** The address of a night's entry on this page. */
function nightLink(input: Pick<HistoryPageInput, 'selfHref'>, localDate: string): string {
  return `${input.selfHref}#night-${localDate}`;
}

function signed(change: number): string {
  if (change === 0) return '0';
  return `${change > 0 ? '+' : '−'}${formatCount(Math.abs(change))}`;
}
