/**
 * Dispatches each account to the stats source its `source` names. An account whose source is not enabled in
 * this deployment gets a failed poll with reason `source_disabled` (never silence), so an operator sees it.
 */
import type { Account, SourceKind } from '../../core/model.ts';
import type { PollHints, PollOutcome, StatsSource } from '../../core/ports.ts';
import { failedOutcome } from './http.ts';

/** A StatsSource over one source per enabled kind. */
export class SourceRouter implements StatsSource {
  constructor(private readonly sources: Partial<Record<SourceKind, StatsSource>>) {}

  /** The kinds this router can poll. */
  get enabled(): SourceKind[] {
    return Object.keys(this.sources) as SourceKind[];
  }

  /**
   * Lets each source that plans prepare its own accounts. Every source finishes preparing before this settles,
   * even when another one fails (e.g. the Display API's credentials read is not cut short by a Research API
   * ledger failure); the first failure is then passed on.
   */
  async prepare(accounts: readonly Account[], at: Date): Promise<void> {
    const results = await Promise.allSettled(
      Object.entries(this.sources).map(async ([kind, source]) => {
        const mine = accounts.filter((account) => account.source === kind);
        if (mine.length > 0) await source?.prepare(mine, at);
      }),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  poll(account: Account, at: Date, signal?: AbortSignal, hints?: PollHints): Promise<PollOutcome> {
    const source = this.sources[account.source];
    if (!source) {
      return Promise.resolve(
        failedOutcome(at, 'source_disabled', `the ${account.source} source is not enabled`),
      );
    }
    return source.poll(account, at, signal, hints);
  }
}
