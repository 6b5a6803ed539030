/**
 * Decides what the digest says about one account: the headline, the numbers, the ranked causes with their
 * evidence, the videos that lost most, the advice for the best-fitting cause, and any reconnect notice.
 * Wording only; layout belongs to the renderers.
 */
import { CAUSE_NAMES } from '../causes.ts';
import type { AccountExplanation, VideoLoss } from '../model.ts';
import type { AccountNight } from './account-night.ts';
import { CAUSE_ADVICE } from './advice.ts';
import type {
  AccountTone,
  DigestAccountSection,
  DigestAdvice,
  DigestCause,
  DigestFact,
  DigestNotice,
  DigestVideo,
} from './document.ts';
import { safeTikTokUrl, toSingleLine } from './escape.ts';
import type { DigestLinks } from './input.ts';
import { buildLikesChart, type ChartContext } from './likes-chart.ts';
import { inLocalTime } from './local-times.ts';
import { traceVideo } from './poll-history.ts';
import { confidenceWord, countOf, formatCount } from './wording.ts';

/** At most this many videos are listed per account, so one bad night does not bury the rest. */
export const MAX_VIDEOS_PER_ACCOUNT = 5;

/** Titles are creator text; keep them to what fits a line or two on a phone. */
const MAX_TITLE_LENGTH = 100;

/** Evidence sentences come from the engine but may quote creator text; keep them bounded too. */
const MAX_EVIDENCE_LENGTH = 400;

/** Shown when no poll gave the video a title. */
export const UNTITLED_VIDEO = 'Untitled video';

/**
 * Builds the section for one account: a loss or a slowdown also gets a chart of the account's likes over the
 * last week. Every time it shows is in the subscriber's zone (`chartContext.timeZone`).
 */
export function buildAccountSection(
  night: AccountNight,
  links: DigestLinks,
  chartContext: ChartContext,
): DigestAccountSection {
  const { explanation } = night.input;
  const section: DigestAccountSection = {
    tone: toneOf(night),
    title: titleOf(night),
    summary: summaryOf(night),
    facts: explanation.verdict === 'unknown' ? [] : likeFacts(explanation),
    notices: noticesOf(night, links),
    history: {
      text: `View history of ${night.handle}`,
      href: links.history(night.input.account.id),
    },
  };
  // Causes, videos and advice only make sense where the engine saw something; an `unknown` night has
  // none of them by contract, and an ordinary night's background un-likes are not news.
  if (night.severity === 'loss' || night.severity === 'slowdown') {
    const chart = buildLikesChart(night, chartContext);
    if (chart !== undefined) section.chart = chart;
    const causes = causesOf(night, links, chartContext);
    if (causes.length > 0) {
      section.causes = {
        heading:
          night.severity === 'loss'
            ? 'Possible causes of the removed likes, best fit first'
            : 'Possible causes of the slowdown, best fit first',
        items: causes,
      };
    }
    const advice = adviceOf(night);
    if (advice !== undefined) section.advice = advice;
  }
  if (night.severity === 'loss') {
    const videos = videosOf(night);
    if (videos !== undefined) section.videos = videos;
  }
  return section;
}

function toneOf(night: AccountNight): AccountTone {
  return night.severity === 'gap' ? 'unknown' : night.severity;
}

function titleOf(night: AccountNight): string {
  const { handle } = night;
  const { likes, verdict } = night.input.explanation;
  switch (verdict) {
    case 'loss':
      return `${handle} lost ${countOf(likes.lost, 'like')} overnight`;
    case 'slowdown':
      return `${handle}: likes are coming in slower than usual`;
    case 'unknown':
      return `${handle}: no reading last night`;
    case 'none': {
      const kind = ordinaryNightKind(night);
      return night.needsReconnect
        ? `${handle}: ${kind}, but the account must be reconnected`
        : `${handle}: ${kind}`;
    }
  }
}

/**
 * What an ordinary verdict's night was like, in the words the title and the subject use: nothing was wrong,
 * but a night far above (or below) the band of ordinary nights is not called ordinary.
 */
export function ordinaryNightKind(night: AccountNight): string {
  if (night.pace === 'strong') return 'a strong night';
  if (night.pace === 'weak') return 'a quieter night than usual';
  return 'an ordinary night';
}

function summaryOf(night: AccountNight): string {
  const { handle } = night;
  const { likes, verdict } = night.input.explanation;
  switch (verdict) {
    case 'loss': {
      const removed = `${countOf(likes.lost, 'like')} ${likes.lost === 1 ? 'was' : 'were'} removed from ${handle}’s videos overnight`;
      if (likes.restored <= 0) return `${removed}.`;
      if (likes.restored >= likes.lost) return `${removed}; all of them came back before morning.`;
      return `${removed}; ${formatCount(likes.restored)} of them came back before morning.`;
    }
    case 'slowdown': {
      const pace =
        night.slowerByPercent === undefined
          ? 'likes are coming in slower than usual'
          : `likes are coming in ${night.slowerByPercent}% slower than usual`;
      const numbers =
        likes.baselineGain === null
          ? `${countOf(likes.gained, 'new like')}`
          : `${countOf(likes.gained, 'new like')} against about ${formatCount(likes.baselineGain)} expected`;
      const opening = likes.lost === 0 ? `No likes were removed, but ${pace}` : capitalise(pace);
      return `${opening}: ${numbers}.`;
    }
    case 'unknown':
      return (
        `We could not read ${handle} last night (${night.unreadableBecause}). ` +
        'Without that data we will not guess whether it lost likes; we will try again before your next digest.'
      );
    case 'none':
      return ordinarySummary(night);
  }
}

/**
 * `31,290 new likes, 29,205 of them yesterday’s lost likes coming back, against about 1,611 expected`: the
 * night's new likes as the card and the all-clear line say them.
 */
export function newLikesFigures(night: AccountNight): string {
  const { likes } = night.input.explanation;
  const returned =
    night.returned > 0
      ? `, ${formatCount(night.returned)} of them yesterday’s lost likes coming back`
      : '';
  // The comma only sets the expected figure off from a clause about the returning likes.
  const expected =
    likes.baselineGain === null
      ? ''
      : `${returned === '' ? '' : ','} against about ${formatCount(likes.baselineGain)} expected`;
  return `${countOf(likes.gained, 'new like')}${returned}${expected}`;
}

/** The summary of an ordinary verdict: its new likes said against the band of ordinary nights. */
function ordinarySummary(night: AccountNight): string {
  const { likes } = night.input.explanation;
  const figures = newLikesFigures(night);
  const removed =
    likes.lost === 0
      ? 'No likes were removed.'
      : `${countOf(likes.lost, 'like')} ${likes.lost === 1 ? 'was' : 'were'} removed, no more than viewers take back on an ordinary night.`;
  switch (night.pace) {
    case 'strong':
      return `A strong night: ${night.timesUsual} your usual new likes (${figures}). ${removed}`;
    case 'weak':
      return `Fewer new likes than usual (${figures}), though not far enough below to call it a slowdown. ${removed}`;
    default:
      return `No unusual like changes: ${figures}, within the usual range. ${removed}`;
  }
}

function likeFacts(explanation: AccountExplanation): DigestFact[] {
  const { likes } = explanation;
  const facts: DigestFact[] = [
    { label: 'Likes removed', value: likes.lost === 0 ? 'none' : formatCount(likes.lost) },
  ];
  if (likes.lost > 0) facts.push({ label: 'Came back', value: formatCount(likes.restored) });
  facts.push(
    { label: 'New likes', value: formatCount(likes.gained) },
    {
      label: 'Expected new likes',
      value:
        likes.baselineGain === null
          ? 'not enough history yet'
          : `about ${formatCount(likes.baselineGain)}`,
    },
  );
  const band = likes.baselineBand;
  if (likes.baselineGain !== null && band !== null && band !== undefined) {
    facts.push({
      label: 'Usual range',
      value: `${formatCount(band.low)}–${formatCount(band.high)} new likes`,
    });
  }
  return facts;
}

function noticesOf(night: AccountNight, links: DigestLinks): DigestNotice[] {
  if (!night.needsReconnect) return [];
  return [
    {
      text: `TikTok needs you to reconnect ${night.handle} before we can keep watching it properly.`,
      link: {
        text: `Reconnect ${night.handle}`,
        href: links.reconnect(night.input.account.id),
      },
    },
  ];
}

function causesOf(
  night: AccountNight,
  links: DigestLinks,
  clock: Pick<ChartContext, 'window' | 'timeZone'>,
): DigestCause[] {
  const nightEnd = Date.parse(clock.window.to);
  const { likes, verdict } = night.input.explanation;
  const accountId = night.input.account.id;
  return night.rankedCauses.map((ranked) => {
    const cause: DigestCause = {
      title: CAUSE_NAMES[ranked.cause].title,
      confidence: confidenceWord(ranked.confidence),
      evidence: ranked.evidence
        .map((sentence) =>
          toSingleLine(inLocalTime(sentence, nightEnd, clock.timeZone), MAX_EVIDENCE_LENGTH),
        )
        .filter((sentence) => sentence !== ''),
    };
    if (verdict === 'loss' && ranked.likes > 0) {
      // "Accounts for" would read as TikTok accounts: the cause explains likes.
      cause.share = `explains ${formatCount(ranked.likes)} of the ${countOf(likes.lost, 'like')} lost`;
    }
    if (links.feedback !== undefined) {
      const answers = links.feedback(accountId, ranked.cause);
      cause.feedback = {
        question: 'Was this the cause?',
        yes: { text: 'Yes', href: answers.yes },
        no: { text: 'No', href: answers.no },
      };
    }
    return cause;
  });
}

function adviceOf(night: AccountNight): DigestAdvice | undefined {
  const top = night.rankedCauses[0];
  if (top === undefined) return undefined;
  const advice = CAUSE_ADVICE[top.cause];
  const { phrase } = CAUSE_NAMES[top.cause];
  // A weak fit gets conditional advice: we do not tell anyone to act on a cause we are unsure of.
  const heading =
    confidenceWord(top.confidence) === 'unclear'
      ? `If it turns out to be ${phrase}, what to do`
      : `What to do about ${phrase}`;
  return { heading, summary: advice.summary, actions: [...advice.actions] };
}

function videosOf(night: AccountNight): DigestAccountSection['videos'] {
  const losses = [...night.input.explanation.videos]
    .filter((video) => video.lost > 0)
    .sort((a, b) => b.lost - a.lost);
  if (losses.length === 0) return undefined;
  const shown = losses.slice(0, MAX_VIDEOS_PER_ACCOUNT);
  const videos: NonNullable<DigestAccountSection['videos']> = {
    heading: 'Videos that lost the most likes',
    items: shown.map((loss) => describeVideo(night, loss)),
  };
  const hidden = losses.length - shown.length;
  if (hidden > 0) videos.note = `${countOf(hidden, 'more video')} also lost likes.`;
  return videos;
}

function describeVideo(night: AccountNight, loss: VideoLoss): DigestVideo {
  const trace = traceVideo(night.input.polls, loss.id);
  const title = trace.title === undefined ? '' : toSingleLine(trace.title, MAX_TITLE_LENGTH);
  const video: DigestVideo = {
    title: title === '' ? UNTITLED_VIDEO : title,
    change: videoChange(loss, trace),
  };
  const href = safeTikTokUrl(trace.url);
  if (href !== undefined) video.link = { text: 'Watch on TikTok', href };
  return video;
}

function videoChange(loss: VideoLoss, trace: ReturnType<typeof traceVideo>): string {
  const lost = `${formatCount(loss.lost)} lost`;
  const cameBack = loss.restored > 0 ? `, ${formatCount(loss.restored)} came back` : '';
  if (trace.vanished && trace.before !== undefined) {
    return `${countOf(trace.before, 'like')} → no longer public, ${lost}`;
  }
  if (trace.before !== undefined && trace.after !== undefined) {
    return `${formatCount(trace.before)} → ${countOf(trace.after, 'like')}, ${lost}${cameBack}`;
  }
  return `${countOf(loss.lost, 'like')} lost${cameBack}`;
}

function capitalise(sentence: string): string {
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
