/**
 * Evidence sentences for slowdowns, worded from the measures that made the verdict. Every adjective is chosen
 * from the figure it stands beside, so a sentence never says "normal" next to a number that is not.
 */
import { countOf, formatCount, formatInstantUtc, formatPercent } from './format.ts';
import type { SlowdownFinding, SlowdownMeasures } from './slowdown.ts';

/** Likes per view within this factor of usual are "about the same". */
const SAME_ENGAGEMENT = 1.25;
/** A fleet share within this distance of 1 is not worth a sentence. */
const FLEET_WORTH_SAYING = 0.1;

/** The evidence of a slowdown finding, in the order a creator reads it. */
export function slowdownEvidence(finding: SlowdownFinding): string[] {
  const { measures } = finding;
  switch (finding.cause) {
    case 'reach_limited':
      return reachEvidence(measures);
    case 'audience_shift':
      return audienceEvidence(measures);
    default:
      return restrictedEvidence(measures);
  }
}

function reachEvidence(measures: SlowdownMeasures): string[] {
  const evidence: string[] = [];
  if (measures.reachShare !== undefined) {
    evidence.push(
      measures.sinceTonight
        ? `Since earlier tonight your videos got views at ${formatPercent(measures.reachShare)} of their pace in the same hours the day before: an abrupt break, across the account at once`
        : `Your videos got views at ${formatPercent(measures.reachShare)} of their usual pace for their age: an abrupt break, across the account at once`,
    );
  }
  evidence.push(
    measures.views !== undefined && measures.expectedViews !== undefined
      ? `The night brought ${countOf(measures.views, 'view')} and ${countOf(measures.likes, 'like')} instead of about ${formatCount(measures.expectedViews)} and ${formatCount(measures.expectedLikes)}`
      : `The night brought ${countOf(measures.likes, 'like')} instead of about ${formatCount(measures.expectedLikes)}`,
  );
  if (measures.engagement !== undefined) {
    const same =
      measures.engagement <= SAME_ENGAGEMENT && measures.engagement >= 1 / SAME_ENGAGEMENT;
    evidence.push(
      same
        ? `Likes per view stayed about the same (${formatPercent(measures.engagement)} of usual): fewer people are being shown your videos, and those who see them like them as before`
        : `Likes per view moved less than views did (${formatPercent(measures.engagement)} of usual): the shortfall is mostly in how many people were shown your videos`,
    );
  }
  if (measures.fleetShare !== undefined && Math.abs(measures.fleetShare - 1) > FLEET_WORTH_SAYING) {
    const share = formatPercent(measures.fleetShare);
    evidence.push(
      measures.fleetShare < 1
        ? `Other monitored accounts gained ${share} of their usual likes tonight; yours fell much further than that`
        : `Other monitored accounts gained ${share} of their usual likes tonight, a busy night; yours fell far short of its usual`,
    );
  }
  return evidence;
}

function audienceEvidence(measures: SlowdownMeasures): string[] {
  const share = measures.likes / Math.max(1, measures.expectedLikes);
  const evidence = [
    `Tonight brought ${countOf(measures.likes, 'like')}, ${formatPercent(share)} of your level several weeks ago (about ${formatCount(measures.expectedLikes)} in a night)`,
  ];
  if (measures.weekShare !== undefined) {
    evidence.push(
      `The last week ran at about ${formatPercent(measures.weekShare)} of that level: a decline built up over weeks, with no sudden break`,
    );
  }
  if (measures.newerVideos !== undefined && measures.newerVideos < 1) {
    evidence.push(
      `Your newer videos earn ${formatPercent(1 - measures.newerVideos)} fewer likes by their third day than those from a month or more ago`,
    );
  }
  if (measures.newerLikeRate !== undefined && measures.newerLikeRate < 1) {
    evidence.push(
      `Your newer videos get ${formatPercent(1 - measures.newerLikeRate)} fewer likes per view than older videos did`,
    );
  }
  if (measures.reachTrend !== undefined && measures.reachTrend < 1) {
    evidence.push(
      `Your established videos now get ${formatPercent(1 - measures.reachTrend)} fewer views for their age than a few weeks ago`,
    );
  }
  return evidence;
}

function restrictedEvidence(measures: SlowdownMeasures): string[] {
  const frozen = measures.frozen ?? [];
  const since = Math.min(...frozen.map((entry) => entry.sinceMs));
  const likes = frozen.reduce((sum, entry) => sum + entry.expectedLikes, 0);
  return [
    `${countOf(frozen.length, 'video')} stopped getting views after ${formatInstantUtc(since)} while your other videos went on`,
    `At their usual pace they would have brought about ${formatCount(likes)} more likes by now`,
    'A video restricted by TikTok, or made private or friends-only, stays listed but is no longer shown; from public data the two cannot be told apart',
  ];
}
