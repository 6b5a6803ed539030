/**
 * Explained nights: each account's explanation in the account's partition (`ACCOUNT#<id>` / `NIGHT#<asOf>`),
 * and the head (`NIGHTS` / `NIGHT#<asOf>`) written once every account is, so a head means the night is complete
 * (docs/data-model.md).
 */
import { Account, AccountExplanation } from '../../core/model.ts';
import { forEachLimited } from '../../core/poll-accounts.ts';
import type { NightAccount, StoredNight } from '../../core/ports.ts';
import { keys } from './keys.ts';
import type { DynamoTable } from './table.ts';

/**
 * PutItem requests in flight while storing a night: one per account (each on condition), within the SDK's
 * default 50 sockets.
 */
const NIGHT_PUTS_AT_ONCE = 32;

/** Stores and reads explained nights. */
export class NightRecords {
  constructor(
    private readonly table: DynamoTable,
    /** Nights expire this long after they ended. */
    private readonly retentionMs: number,
  ) {}

  /**
   * Stores each account's explanation unless the night has one for it already (a PutItem on condition each,
   * {@link NIGHT_PUTS_AT_ONCE} at once), then the head: a night without a head is incomplete, and the tick
   * that finds none explains the night again.
   */
  async put(night: StoredNight): Promise<void> {
    const expiresAt = Math.floor((night.asOf.getTime() + this.retentionMs) / 1000);
    const items = night.accounts.map(({ account, explanation }) => ({
      ...keys.nightAccount(night.asOf, account.id),
      account,
      explanation,
      expiresAt,
    }));
    // The first explanation stored is kept, so every digest of the night shows the same explanation of an
    // account, even when the parts of a split night that ran at once both explained it (BatchWriteItem has no
    // conditions).
    await forEachLimited(items, NIGHT_PUTS_AT_ONCE, async (item) => {
      await this.table.putNew(item);
    });
    await this.table.put({
      ...keys.night(night.asOf),
      window: night.window,
      accounts: items.length,
      expiresAt,
    });
  }

  async getWindow(asOf: Date): Promise<StoredNight['window'] | undefined> {
    const item = await this.table.get(keys.night(asOf));
    return item ? (item.window as StoredNight['window']) : undefined;
  }

  async getAccounts(asOf: Date, accountIds: readonly string[]): Promise<NightAccount[]> {
    const found = await this.table.batchGetNamed(
      accountIds.map((id, position) => ({ name: position, key: keys.nightAccount(asOf, id) })),
    );
    // In the order asked: a batch read answers in any order.
    return found
      .sort((a, b) => a.name - b.name)
      .map(({ item }) => ({
        account: Account.parse(item.account),
        explanation: AccountExplanation.parse(item.explanation),
      }));
  }
}
