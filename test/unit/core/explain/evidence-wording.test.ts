import { describe, expect, it } from 'vitest';
import { explainFleet } from '../../../../core/explain/index.ts';
import type { SlowdownFinding } from '../../../../core/explain/slowdown.ts';
import { slowdownEvidence } from '../../../../core/explain/slowdown-wording.ts';
import { fleetSeeds } from '../../../../eval/seeds.ts';
import { WORLDS, type WorldName } from '../../../../eval/worlds.ts';

/** A percentage in a sentence, as a share (`12%` → 0.12); NaN when the pattern is absent. */
function shareAfter(sentence: string, pattern: RegExp): number {
  const match = sentence.match(pattern);
  return match?.[1] === undefined ? Number.NaN : Number(match[1].replace(/,/g, '')) / 100;
}

/** A count in a sentence (`1,234` → 1234). */
function count(text: string | undefined): number {
  return Number((text ?? '').replace(/,/g, ''));
}

/**
 * Everything a sentence claims that its own figures contradict. Each rule pairs a word with the figure beside
 * it, so "about the same" never sits next to 0%, and "instead of about M" is never said of more than M.
 */
function contradictions(sentence: string): string[] {
  const problems: string[] = [];
  if (/NaN|Infinity|undefined|null/.test(sentence)) problems.push('a number that is not one');
  const same = shareAfter(sentence, /about the same \(([\d.,]+)% of usual\)/);
  if (!Number.isNaN(same) && (same < 0.75 || same > 1.34)) problems.push('"about the same" is not');
  if (/stayed normal/.test(sentence)) problems.push('"normal" without a figure to check');
  const fewer = shareAfter(sentence, /([\d.,]+)% fewer/);
  if (!Number.isNaN(fewer) && !(fewer > 0 && fewer < 1)) problems.push('"fewer" by no share');
  const pace = shareAfter(sentence, /at ([\d.,]+)% of their usual pace/);
  if (!Number.isNaN(pace) && pace >= 1) problems.push('a break at or above the usual pace');
  const level = shareAfter(sentence, /, ([\d.,]+)% of your level several weeks ago/);
  if (!Number.isNaN(level) && level >= 1) problems.push('a decline above the old level');
  const instead = sentence.match(/brought ([\d,]+) likes? instead of about ([\d,]+)$/);
  if (instead && count(instead[1]) >= count(instead[2])) problems.push('"instead of" more');
  const insteadViews = sentence.match(
    /brought ([\d,]+) views? and ([\d,]+) likes? instead of about ([\d,]+) and ([\d,]+)/,
  );
  if (insteadViews && count(insteadViews[2]) >= count(insteadViews[4]))
    problems.push('"instead of" more likes');
  const fleet = shareAfter(
    sentence,
    /Other monitored accounts gained ([\d.,]+)% .*fell much further/,
  );
  if (!Number.isNaN(fleet) && fleet >= 1) problems.push('"much further" than a fleet that rose');
  const small = shareAfter(sentence, /small, similar share .*\(about ([\d.,]+)%\)/);
  if (!Number.isNaN(small) && small > 0.03) problems.push('a "small" share that is not');
  const large = shareAfter(sentence, /same large share of (?:its|their) likes \(([\d.,]+)%\)/);
  if (!Number.isNaN(large) && large < 0.03) problems.push('a "large" share that is small');
  const ofLikes = shareAfter(sentence, /\(([\d.,]+)% of (?:its|their) likes\)/);
  if (!Number.isNaN(ofLikes) && ofLikes > 1) problems.push('more than all of the likes');
  if (/\b1 video\b.*\btheir likes\b/.test(sentence) && !/videos/.test(sentence))
    problems.push('"their" of one video');
  if (/\b(lost|dipped by) 0 likes\b/.test(sentence)) problems.push('a loss of nothing');
  if (
    /\b1 (likes|videos|views|followers)\b/.test(sentence) ||
    /\b(?!1\b)\d[\d,]* (like|video|view|follower)\b(?!-)/.test(
      sentence.replace(/[\d,]+ of the/g, ''),
    )
  )
    problems.push('a count and its noun disagree in number');
  return problems;
}

const WORLD_FLEETS = 4;

function sentences(world: WorldName): string[] {
  return fleetSeeds('test', world, WORLD_FLEETS).flatMap((seed) => {
    const { fleet, asOf } = WORLDS[world].generate(seed, 30);
    return explainFleet(fleet, { asOf }).accounts.flatMap((account) =>
      account.causes.flatMap((cause) => cause.evidence),
    );
  });
}

describe('evidence sentences', () => {
  it.each(['simulator', 'spec'] as const)(
    'never contradict their own figures (explanations of the %s world)',
    (world) => {
      const all = sentences(world);
      expect(all.length).toBeGreaterThan(50);
      const bad = all
        .map((sentence) => ({ sentence, problems: contradictions(sentence) }))
        .filter((entry) => entry.problems.length > 0);
      expect(bad).toEqual([]);
    },
  );

  it('the checks catch the contradictions they are written for', () => {
    expect(
      contradictions('Likes per view stayed about the same (0% of usual): fewer people'),
    ).not.toEqual([]);
    expect(contradictions('Likes per view stayed normal (100% of usual)')).not.toEqual([]);
    expect(contradictions('The night brought 500 likes instead of about 300')).not.toEqual([]);
    expect(contradictions('1 video lost 40 likes (2% of their likes)')).not.toEqual([]);
    expect(
      contradictions('Your videos got views at 120% of their usual pace for their age'),
    ).not.toEqual([]);
    expect(
      contradictions(
        'Other monitored accounts gained 200% of their usual likes tonight; yours fell much further than that',
      ),
    ).not.toEqual([]);
    expect(contradictions('3 videos lost 40 likes (2% of their likes)')).toEqual([]);
  });
});

describe('slowdown evidence', () => {
  const reach = (engagement: number): SlowdownFinding => ({
    cause: 'reach_limited',
    fit: 0.8,
    baseline: 400,
    measures: {
      likes: 100,
      expectedLikes: 400,
      views: 1_000,
      expectedViews: 4_000,
      reachShare: 0.25,
      engagement,
    },
  });

  it('says the fleet fell only when it did', () => {
    const withFleet = (fleetShare: number) =>
      slowdownEvidence({ ...reach(1), measures: { ...reach(1).measures, fleetShare } }).join(' ');
    expect(withFleet(0.6)).toMatch(
      /gained 60% of their usual likes tonight; yours fell much further/,
    );
    const busy = withFleet(2);
    expect(busy).toMatch(/gained 200% of their usual likes tonight, a busy night/);
    expect(contradictions(busy)).toEqual([]);
  });

  it('says likes per view stayed about the same only when they did', () => {
    expect(slowdownEvidence(reach(0.98)).join(' ')).toMatch(/about the same \(98% of usual\)/);
    const moved = slowdownEvidence(reach(0.55)).join(' ');
    expect(moved).not.toMatch(/about the same|normal/);
    expect(moved).toMatch(/55% of usual/);
  });

  it('words every figure it is given, each without contradiction', () => {
    for (const engagement of [0.5, 0.8, 1, 1.3, 1.9]) {
      for (const sentence of slowdownEvidence(reach(engagement)))
        expect(contradictions(sentence), sentence).toEqual([]);
    }
  });
});
