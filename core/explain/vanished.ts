/**
 * Videos gone from the public list between two complete polls: removed or hidden (`content_removed_or_restricted`),
 * or, when most of the account goes at once or the videos come back, a glitch in the list.
 */

import type { Finding } from './findings.ts';
import { countOf, formatCount, formatInterval } from './format.ts';
import type { DrawdownScan } from './losses.ts';
import type { AccountSeries } from './series.ts';

/** The last row at or before `row` in which the video was listed. */
function lastSightingBefore(series: AccountSeries, video: number, row: number): number {
  for (let candidate = row - 1; candidate >= 0; candidate -= 1) {
    if (!Number.isNaN(series.likes[candidate * series.videoCount + video] as number))
      return candidate;
  }
  return row;
}

/** Videos gone from a complete poll: removed or hidden, or (en masse, or back later) a glitch in the list. */
export function vanishedFindings(series: AccountSeries, scan: DrawdownScan): Finding[] {
  const byRow = new Map<number, number[]>();
  for (let video = 0; video < series.videoCount; video += 1) {
    const row = scan.vanishedRow[video] as number;
    if (row < 0) continue;
    const list = byRow.get(row) ?? [];
    list.push(video);
    byRow.set(row, list);
  }
  const findings: Finding[] = [];
  for (const [row, videos] of byRow) {
    const seenRow = lastSightingBefore(series, videos[0] as number, row);
    let listedBefore = 0;
    for (let video = 0; video < series.videoCount; video += 1) {
      if (!Number.isNaN(series.likes[seenRow * series.videoCount + video] as number))
        listedBefore += 1;
    }
    const likes = videos.reduce((sum, video) => sum + (scan.vanishedLikes[video] as number), 0);
    // Videos without likes took nothing with them: no loss to explain.
    if (likes <= 0) continue;
    const fromMs = series.times[seenRow] as number;
    const toMs = series.times[row] as number;
    const when = formatInterval(fromMs, toMs);
    // The profile's own video count says whether the videos really went: a glitch in the list leaves it be.
    const countDrop = profileDrop(series, seenRow, row, 'videos');
    const profileAgrees = countDrop !== undefined && countDrop >= 0.8 * videos.length;
    if (videos.length >= 3 && videos.length >= 0.5 * listedBefore && !profileAgrees) {
      findings.push({
        cause: 'platform_glitch',
        kind: 'list_glitch',
        likes,
        videos,
        fromMs,
        toMs,
        fit: 0.8,
        evidence: [
          `${countOf(videos.length, 'video')} of ${formatCount(listedBefore)} were missing from your public list ${when}; a real removal does not take most of an account at once`,
        ],
      });
      continue;
    }
    const evidence = [
      `${countOf(videos.length, 'video')} with ${countOf(likes, 'like')} disappeared from your public list ${when}`,
    ];
    const likesDrop = profileDrop(series, seenRow, row, 'likes');
    if (likesDrop !== undefined && likesDrop > 0) {
      evidence.push(
        `Your profile's total likes fell by ${formatCount(likesDrop)} in the same interval`,
      );
    }
    evidence.push(
      'From public data a removal by TikTok cannot be told apart from you deleting or hiding the video',
    );
    findings.push({
      cause: 'content_removed_or_restricted',
      kind: 'removal',
      likes,
      videos,
      fromMs,
      toMs,
      fit: 0.9,
      evidence,
    });
  }
  return findings;
}

/** How far a profile count fell between two polls; undefined when either poll lacks the profile. */
function profileDrop(
  series: AccountSeries,
  fromRow: number,
  toRow: number,
  count: 'likes' | 'videos',
): number | undefined {
  const before = series.polls[fromRow];
  const after = series.polls[toRow];
  if (!before || !after || before.status === 'failed' || after.status === 'failed')
    return undefined;
  if (!before.profile || !after.profile) return undefined;
  return before.profile[count] - after.profile[count];
}
