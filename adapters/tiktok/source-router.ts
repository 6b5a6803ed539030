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

  async prepare(accounts: readonly Account[], at: Date): Promise<void> {
    await Promise.all(
      Object.entries(this.sources).map(async ([kind, source]) => {
        const mine = accounts.filter((account) => account.source === kind);
        if (mine.length > 0) await source?.prepare?.(mine, at);
      }),
    );
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
