/**
 * Fleet-wide evidence: platform actions (cleanup waves, purge sweeps, counter glitches) hit many accounts in the
 * same interval, so what other monitored accounts show at the same time settles findings one account alone
 * leaves open.
 */
import type { AccountAnalysis, Finding, FindingKind } from './account.ts';
import { countOf, formatInterval } from './format.ts';

interface Sighting {
  account: number;
  kind: FindingKind;
  fromMs: number;
  toMs: number;
}

/** Kinds that look like a counter problem (for fleet-wide simultaneity of large drops). */
const GLITCH_LIKE: ReadonlySet<FindingKind> = new Set([
  'implausible',
  'uniform_drop',
  'list_glitch',
  'large_drop',
]);

/** Findings of every account, searchable by kind and time. */
export class FleetContext {
  private readonly sightings: Sighting[] = [];

  constructor(analyses: readonly AccountAnalysis[]) {
    analyses.forEach((analysis, account) => {
      for (const finding of analysis.findings) {
        this.sightings.push({
          account,
          kind: finding.kind,
          fromMs: finding.fromMs,
          toMs: finding.toMs,
        });
      }
    });
  }

  /** How many other accounts show one of `kinds` in an interval overlapping (fromMs, toMs]. */
  countOthers(
    account: number,
    kinds: ReadonlySet<FindingKind>,
    fromMs: number,
    toMs: number,
  ): number {
    const accounts = new Set<number>();
    for (const sighting of this.sightings) {
      if (sighting.account === account || !kinds.has(sighting.kind)) continue;
      if (sighting.fromMs < toMs && fromMs < sighting.toMs) accounts.add(sighting.account);
    }
    return accounts.size;
  }
}

const CLEANUP: ReadonlySet<FindingKind> = new Set(['cleanup']);
const PURGE: ReadonlySet<FindingKind> = new Set(['outlier_drop']);

/**
 * Settles one account's findings with fleet evidence: open findings are decided, fits are raised where other
 * accounts show the same thing at the same time, and weak findings that the fleet does not back are dropped
 * (their likes return to the background).
 */
export function applyFleetContext(
  analysis: AccountAnalysis,
  account: number,
  context: FleetContext,
): Finding[] {
  const settled: Finding[] = [];
  for (const finding of analysis.findings) {
    const { fromMs, toMs } = finding;
    const when = formatInterval(fromMs, toMs);
    switch (finding.kind) {
      case 'cleanup':
      case 'weak_cleanup': {
        const others = context.countOthers(account, CLEANUP, fromMs, toMs);
        if (finding.kind === 'weak_cleanup' && others < 2) continue;
        settled.push(
          others >= 1
            ? {
                ...finding,
                fit: Math.min(0.95, Math.max(finding.fit, 0.6) + 0.1 * Math.min(others, 3)),
                evidence: [
                  ...finding.evidence,
                  `${countOf(others, 'other monitored account')} lost a similar small share ${when}: a platform-wide cleanup`,
                ],
              }
            : finding,
        );
        break;
      }
      case 'outlier_drop': {
        const others = context.countOthers(account, PURGE, fromMs, toMs);
        settled.push(
          others >= 1
            ? {
                ...finding,
                fit: Math.min(0.95, finding.fit + 0.05 * Math.min(others, 2)),
                evidence: [
                  ...finding.evidence,
                  `${countOf(others, 'other monitored account')} lost likes on ratio-outlier videos ${when}: a platform sweep`,
                ],
              }
            : finding,
        );
        break;
      }
      case 'large_drop': {
        const others = context.countOthers(account, GLITCH_LIKE, fromMs, toMs);
        if (others >= 2) {
          settled.push({
            ...finding,
            cause: 'platform_glitch',
            fit: 0.75,
            evidence: [
              ...finding.evidence,
              `${others} other monitored accounts showed large drops ${when}: the same drop on unrelated accounts at once points to TikTok's counters`,
            ],
          });
        } else {
          settled.push(finding);
        }
        break;
      }
      case 'uniform_drop':
      case 'implausible':
      case 'list_glitch': {
        const others = context.countOthers(account, GLITCH_LIKE, fromMs, toMs);
        settled.push(
          others >= 2
            ? {
                ...finding,
                fit: Math.min(0.97, finding.fit + 0.05),
                evidence: [
                  ...finding.evidence,
                  `${others} other monitored accounts showed the same kind of drop ${when}`,
                ],
              }
            : finding,
        );
        break;
      }
      default:
        settled.push(finding);
    }
  }
  return settled;
}
