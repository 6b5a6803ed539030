/**
 * An account's poll history: raw polls for the retention period, daily roll-ups for ever.
 *
 * Primary course of `putPolls` (`putPoll` is the same for one poll):
 * 1. Read the base poll each poll may refer to (its day's first poll, `poll-bases.ts`; one batch read), encode
 *    each poll (binary columns + Brotli, referring to its base where it can) and write it under its slot key,
 *    on condition: never over a better poll of its slot, nor over an `ok` one.
 * 2. Read how far each account's days are rolled up (one batch read for the batch); roll up every finished
 *    day since (normally just yesterday, once a day) and move the mark. A late poll of an already rolled-up
 *    day rolls that day up again.
 *
 * `listPolls` returns the raw polls of the range, and before the earliest of them (where raw polls have
 * expired) one poll a day from the roll-ups: the thinned older history the fleet format allows.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../../core/errors.ts';
import type { Poll } from '../../core/model.ts';
import type { PollToStore } from '../../core/ports.ts';
import { earlierDay, utcDay } from '../../core/thinned-history.ts';
import { addDays, DAY_MS } from '../../core/time.ts';
import { ChunkedRecords } from './chunked-records.ts';
import type { DailyRollup } from './daily-rollups.ts';
import { accountPartition, keys, throughChunksOf } from './keys.ts';
import { encodePoll, POLL_ENCODING } from './poll-codec.ts';
import { decodeWithBases, readBases, type StoredBase } from './poll-reads.ts';
import { withTitlesOncePerDay } from './poll-titles.ts';
import { dailyRollupRecords, decodeRollupRecords, monthRollupRecord } from './rollup-records.ts';
import { finishedMonths, mergeWork, type RollupWork, rollupWork } from './rollup-work.ts';
import { asError, REPLACES, type StoredBody, writeAll } from './stored-bodies.ts';
import type { DynamoTable, Item } from './table.ts';

const DAY_SECONDS = 86_400;

/**
 * Days a raw poll is kept by default. Raw polls are read for the last week only (the night's history poll by
 * poll, the digest's charts, `RAW_HISTORY_DAYS`); before that every reader gets the daily roll-ups. A second
 * week is kept so a late poll, or a day whose roll-up failed (store trouble, an outage), can still be rolled up
 * from its raw polls. Every raw day beyond that was stored, and billed, only to be read as a roll-up.
 */
export const RAW_POLL_RETENTION_DAYS = 14;

/** Options of {@link PollHistory}. */
export interface PollHistoryOptions {
  /** Days a raw poll is kept after it was taken (or imported, if later). */
  retentionDays: number;
  /**
   * The accounts' poll cadence, in hours: with it, a video's title is stored once a day rather than in every
   * poll (`withTitlesOncePerDay`); without it (imports, one-off runs), every poll keeps its titles.
   */
  cadenceHours?: number;
  /** The current instant, for expiry. */
  now: () => Date;
}

/** Raw polls and daily roll-ups of every account, in the accounts' partitions. */
export class PollHistory {
  private readonly records: ChunkedRecords;

  constructor(
    private readonly table: DynamoTable,
    private readonly options: PollHistoryOptions,
  ) {
    this.records = new ChunkedRecords(table);
  }

  /** Stores a poll under its slot (overwriting a retried slot whole) and keeps the roll-ups up to date. */
  async putPoll(accountId: string, slot: string, poll: Poll): Promise<void> {
    const [error] = await this.putPolls([{ accountId, slot, poll }]);
    if (error) throw error;
  }

  /**
   * Stores several polls as {@link PollHistory.putPoll} would, in as few requests as it can: one batch read of
   * the accounts' roll-up marks, then BatchWriteItem for what fits in one item (the polls; then the roll-ups
   * and moved marks), chunked records one by one. Returns each poll's error, undefined where it was stored;
   * one poll's trouble does not stop the others.
   */
  async putPolls(polls: readonly PollToStore[]): Promise<Array<Error | undefined>> {
    const errors: Array<Error | undefined> = new Array(polls.length).fill(undefined);
    const fail = (owners: readonly number[]) => (error: unknown) => {
      for (const index of owners) errors[index] ??= asError(error);
    };
    const [bases, marks] = await Promise.all([
      // Bases only make polls smaller: without them every poll is written whole.
      readBases(this.table, polls, this.options.cadenceHours).catch(() =>
        polls.map(() => undefined),
      ),
      // The marks are only a shortcut: without them each account's mark is read on its own.
      this.readRollupMarks(polls.map((entry) => entry.accountId)).catch(() => undefined),
    ]);
    const records = polls.map((entry, index) => {
      try {
        return this.pollRecord(entry, bases[index]);
      } catch (error) {
        fail([index])(error);
        return undefined;
      }
    });
    await writeAll(
      this.table,
      this.records,
      records.flatMap((record, index) => (record ? [{ record, owners: [index] }] : [])),
      fail,
    );

    // Roll-ups, once per account whatever the number of its polls in the batch.
    const byAccount = new Map<string, number[]>();
    for (const [index, entry] of polls.entries()) {
      if (errors[index]) continue;
      byAccount.set(entry.accountId, [...(byAccount.get(entry.accountId) ?? []), index]);
    }
    await this.keepRollupsCurrent(
      [...byAccount].map(([accountId, owners]) => ({
        accountId,
        owners,
        // An eventually consistent read is enough: a stale answer only makes a day roll up twice.
        work: async () => {
          const through = marks ? marks.get(accountId) : await this.readRollupMark(accountId);
          return mergeWork(
            owners.map((index) => {
              const { poll, watchedSince } = polls[index] as PollToStore;
              return rollupWork(utcDay(poll.at), through, this.options.retentionDays, watchedSince);
            }),
          );
        },
      })),
      fail,
    );
    return errors;
  }

  /**
   * Rolls up every day of the account not rolled up yet, through `day` (included) and as far back as raw
   * polls are kept, and the months they finish: what an import does once it has stored an account's polls,
   * since no later poll may come to roll up its last days.
   */
  async rollUpThrough(accountId: string, day: string): Promise<void> {
    let failure: Error | undefined;
    await this.keepRollupsCurrent(
      [
        {
          accountId,
          owners: [0],
          work: async () => {
            const through = await this.readRollupMark(accountId);
            if (through !== undefined && through >= day) return undefined;
            return rollupWork(addDays(day, 1), through, this.options.retentionDays);
          },
        },
      ],
      () => (error) => {
        failure ??= asError(error);
      },
    );
    if (failure) throw failure;
  }

  /**
   * Does each account's roll-up work: rolls its days up, then rolls the months they finish into one record each,
   * then moves its mark. Days first, then months, then marks: a mark moves only once its days are stored, and
   * a month record only replaces days that are. Marks are written without a condition: two pollers racing
   * over a day's turn can set one a day back, which only makes that day roll up again.
   */
  private async keepRollupsCurrent(
    accounts: ReadonlyArray<{
      accountId: string;
      owners: number[];
      work: () => Promise<RollupWork | undefined>;
    }>,
    fail: (owners: readonly number[]) => (error: unknown) => void,
  ): Promise<void> {
    const failed = new Set<number>();
    const failing = (owners: readonly number[]) => (error: unknown) => {
      for (const owner of owners) failed.add(owner);
      fail(owners)(error);
    };
    const rollups: Array<{ record: StoredBody; owners: number[] }> = [];
    const finished: Array<{
      accountId: string;
      month: string;
      fresh: DailyRollup[];
      owners: number[];
    }> = [];
    const moved: Array<{ item: Item; owners: number[] }> = [];
    const currentMonth = utcDay(this.options.now()).slice(0, 7);
    await Promise.all(
      accounts.map(async ({ accountId, owners, work: plan }) => {
        try {
          const work = await plan();
          if (!work) return;
          const months = finishedMonths(work, currentMonth);
          // A day of a month already rolled into one record, rolled up again (a late poll), is kept for ever
          // beside it and wins over it when read, rather than rewriting the month's record for every late poll.
          const expires = (day: string) =>
            day.slice(0, 7) >= currentMonth || months.includes(day.slice(0, 7));
          const rolled = await this.dailyRollups(accountId, work.fromDay, work.toDay, expires);
          for (const { record } of rolled) rollups.push({ record, owners });
          for (const month of months) {
            const fresh = rolled
              .map(({ rollup }) => rollup)
              .filter((rollup) => rollup.day.startsWith(month));
            // A month none of whose days had polls to roll up now has nothing new to put in its record.
            if (fresh.length > 0) finished.push({ accountId, month, fresh, owners });
          }
          if (work.markTo) {
            moved.push({
              item: { ...keys.rollupProgress(accountId), through: work.markTo },
              owners,
            });
          }
        } catch (error) {
          failing(owners)(error);
        }
      }),
    );
    const unfailed = <T extends { owners: readonly number[] }>(writes: T[]) =>
      writes.filter(({ owners }) => owners.every((owner) => !failed.has(owner)));
    await writeAll(this.table, this.records, rollups, failing);
    const months = await Promise.all(
      unfailed(finished).map(async ({ accountId, month, fresh, owners }) => {
        const record = await this.monthRecord(accountId, month, fresh).catch(failing(owners));
        return record ? [{ record, owners }] : [];
      }),
    );
    await writeAll(this.table, this.records, months.flat(), failing);
    await writeAll(this.table, this.records, unfailed(moved), failing);
  }

  /**
   * The key, head attributes and encoded body of one poll, referring to `stored` (its base) where it lists the
   * same videos, and expiring with its base, never after: a poll outliving its base could not be read.
   */
  private pollRecord({ accountId, slot, poll }: PollToStore, stored?: StoredBase): StoredBody {
    const slotMs = Date.parse(slot);
    if (Number.isNaN(slotMs)) throw new InvalidInputError(`poll slot: not an instant: '${slot}'`);
    // Imported history keeps the full retention from its import, so an import never loses polls at once.
    const keptFromMs = Math.max(Date.parse(poll.at), this.options.now().getTime());
    const keptUntil = Math.floor(keptFromMs / 1000) + this.options.retentionDays * DAY_SECONDS;
    return {
      key: keys.poll(accountId, new Date(slotMs).toISOString()),
      condition: REPLACES[poll.status],
      attributes: {
        at: poll.at,
        status: poll.status,
        encoding: POLL_ENCODING,
        expiresAt: stored ? Math.min(keptUntil, stored.expiresAt) : keptUntil,
      },
      body: encodePoll(
        this.options.cadenceHours === undefined
          ? poll
          : withTitlesOncePerDay(poll, slotMs, this.options.cadenceHours),
        stored?.base,
      ),
    };
  }

  /** Each account's last rolled-up day (absent: none yet), in one eventually consistent batch read. */
  private async readRollupMarks(accountIds: readonly string[]): Promise<Map<string, string>> {
    const items = await this.table.batchGet(
      accountIds.map((id) => keys.rollupProgress(id)),
      false,
    );
    const marks = new Map<string, string>();
    for (const item of items) {
      const accountId = String(item.pk).slice(accountPartition('').length);
      if (typeof item.through === 'string') marks.set(accountId, item.through);
    }
    return marks;
  }

  /**
   * Polls with `from <= at <= to`, oldest first: raw where kept, one a day from the roll-ups before that; and
   * before the UTC day of `thinBefore`, if given, one a day whether or not raw polls are kept (a long history
   * read at a daily grain, for a fraction of the bytes).
   */
  async listPolls(accountId: string, from: Date, to: Date, thinBefore?: Date): Promise<Poll[]> {
    const now = this.options.now();
    const rawFrom =
      thinBefore && thinBefore > from ? new Date(`${utcDay(thinBefore)}T00:00:00.000Z`) : from;
    const raw =
      rawFrom > to
        ? []
        : (await this.readRawPolls(accountId, rawFrom, to, now.getTime() / 1000)).filter((poll) =>
            within(poll.at, from, to),
          );
    const firstRawDay = raw[0] ? utcDay(raw[0].at) : undefined;
    // Every raw poll is kept a full retention after it was taken, so (but for a thinned read) roll-ups are
    // only looked up for the days up to the one where polls start to be missing.
    const lastExpiredDay = utcDay(new Date(now.getTime() - this.options.retentionDays * DAY_MS));
    const lastRolledDay = rawFrom > from ? addDays(utcDay(rawFrom), -1) : lastExpiredDay;
    const beforeRaw = firstRawDay ? addDays(firstRawDay, -1) : utcDay(to);
    const thinnedThrough = earlierDay(beforeRaw, lastRolledDay);
    const fromDay = utcDay(from);
    const thinned =
      fromDay <= thinnedThrough
        ? (await this.listDailyRollups(accountId, fromDay, thinnedThrough))
            .map((rollup) => rollup.last)
            .filter((poll) => within(poll.at, from, to))
        : [];
    return [...thinned, ...raw];
  }

  /**
   * The roll-ups of the UTC days `fromDay`..`toDay` (inclusive, `YYYY-MM-DD`), oldest first: from the month
   * records of finished months and the daily records (which win where both have a day: a late poll may have
   * rolled the day up again since), in one query.
   */
  async listDailyRollups(
    accountId: string,
    fromDay: string,
    toDay: string,
  ): Promise<DailyRollup[]> {
    const records = await this.records.read({
      pk: accountPartition(accountId),
      between: [
        keys.monthRollup(accountId, fromDay.slice(0, 7)).sk,
        throughChunksOf(keys.dailyRollup(accountId, toDay).sk),
      ],
    });
    return decodeRollupRecords(records).filter(
      (rollup) => rollup.day >= fromDay && rollup.day <= toDay,
    );
  }

  /** Raw polls of the slot range, oldest first; expired ones (TTL deletes lazily) are left out. */
  private async readRawPolls(
    accountId: string,
    from: Date,
    to: Date,
    expiredBefore = Number.NEGATIVE_INFINITY,
  ): Promise<Poll[]> {
    const records = await this.records.read({
      pk: accountPartition(accountId),
      between: [
        keys.poll(accountId, from.toISOString()).sk,
        throughChunksOf(keys.poll(accountId, to.toISOString()).sk),
      ],
    });
    const kept = records.filter((record) => Number(record.head.expiresAt) > expiredBefore);
    const polls = await decodeWithBases(
      kept,
      (slots) => this.table.batchGet(slots.map((slot) => keys.poll(accountId, slot))),
      this.options.now().getTime() / 1000,
    );
    return polls.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  private async readRollupMark(accountId: string): Promise<string | undefined> {
    const progress = await this.table.send(() =>
      this.table.doc.send(
        new GetCommand({ TableName: this.table.name, Key: keys.rollupProgress(accountId) }),
      ),
    );
    return progress.Item?.through as string | undefined;
  }

  /**
   * The roll-ups of every day in `fromDay`..`toDay` that has raw polls, with their records. A day's record
   * that `expires` does so two weeks into the month after its own: by then its month has been rolled into one
   * record.
   */
  private async dailyRollups(
    accountId: string,
    fromDay: string,
    toDay: string,
    expires: (day: string) => boolean,
  ): Promise<Array<{ rollup: DailyRollup; record: StoredBody }>> {
    const polls = await this.readRawPolls(
      accountId,
      new Date(`${fromDay}T00:00:00.000Z`),
      new Date(`${toDay}T23:59:59.999Z`),
    );
    return dailyRollupRecords(accountId, polls, fromDay, toDay, expires);
  }

  /**
   * The record of `month` (`YYYY-MM`) with every day of it: as stored (its month record and daily records,
   * merged) and as just rolled up in `fresh`, which wins.
   */
  private async monthRecord(
    accountId: string,
    month: string,
    fresh: readonly DailyRollup[],
  ): Promise<StoredBody | undefined> {
    const days = new Map(
      (await this.listDailyRollups(accountId, `${month}-01`, `${month}-31`)).map((rollup) => [
        rollup.day,
        rollup,
      ]),
    );
    return monthRollupRecord(accountId, month, days, fresh);
  }
}

function within(at: string, from: Date, to: Date): boolean {
  const ms = Date.parse(at);
  return ms >= from.getTime() && ms <= to.getTime();
}
