/**
 * An account's poll history: raw polls for the retention period, daily roll-ups for ever.
 *
 * Primary course of `putPoll`:
 * 1. Encode the poll (columns + Brotli) and write it under its slot key, chunked when large.
 * 2. Read how far the account's days are rolled up; roll up every finished day since (normally just
 *    yesterday, once a day) and move the mark. A late poll of an already rolled-up day rolls that day up again.
 *
 * `listPolls` returns the raw polls of the range, and before the earliest of them (where raw polls have
 * expired) one poll a day from the roll-ups: the thinned older history the fleet format allows.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../../core/errors.ts';
import type { Poll } from '../../core/model.ts';
import { ChunkedRecords } from './chunked-records.ts';
import {
  addDays,
  type DailyRollup,
  decodeRollup,
  encodeRollup,
  rollUpDay,
  utcDay,
} from './daily-rollups.ts';
import { accountPartition, keys, throughChunksOf } from './keys.ts';
import { decodePoll, encodePoll, POLL_ENCODING } from './poll-codec.ts';
import { type DynamoTable, isConditionalCheckFailure } from './table.ts';

const DAY_SECONDS = 86_400;

/** Options of {@link PollHistory}. */
export interface PollHistoryOptions {
  /** Days a raw poll is kept after it was taken (or imported, if later). */
  retentionDays: number;
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
    const slotMs = Date.parse(slot);
    if (Number.isNaN(slotMs)) throw new InvalidInputError(`poll slot: not an instant: '${slot}'`);
    // Imported history keeps the full retention from its import, so an import never loses polls at once.
    const keptFromMs = Math.max(Date.parse(poll.at), this.options.now().getTime());
    await this.records.write(
      keys.poll(accountId, new Date(slotMs).toISOString()),
      {
        at: poll.at,
        status: poll.status,
        encoding: POLL_ENCODING,
        expiresAt: Math.floor(keptFromMs / 1000) + this.options.retentionDays * DAY_SECONDS,
      },
      await encodePoll(poll),
    );
    await this.keepRollupsCurrent(accountId, utcDay(poll.at));
  }

  /** Polls with `from <= at <= to`, oldest first: raw where kept, one a day from the roll-ups before that. */
  async listPolls(accountId: string, from: Date, to: Date): Promise<Poll[]> {
    const nowSeconds = this.options.now().getTime() / 1000;
    const raw = (await this.readRawPolls(accountId, from, to, nowSeconds)).filter((poll) =>
      within(poll.at, from, to),
    );
    const firstRawDay = raw[0] ? utcDay(raw[0].at) : undefined;
    const thinnedThrough = firstRawDay ? addDays(firstRawDay, -1) : utcDay(to);
    const fromDay = utcDay(from);
    const thinned =
      fromDay <= thinnedThrough
        ? (await this.listDailyRollups(accountId, fromDay, thinnedThrough))
            .map((rollup) => rollup.last)
            .filter((poll) => within(poll.at, from, to))
        : [];
    return [...thinned, ...raw];
  }

  /** The roll-ups of the UTC days `fromDay`..`toDay` (inclusive, `YYYY-MM-DD`), oldest first. */
  async listDailyRollups(
    accountId: string,
    fromDay: string,
    toDay: string,
  ): Promise<DailyRollup[]> {
    const records = await this.records.read({
      pk: accountPartition(accountId),
      between: [
        keys.dailyRollup(accountId, fromDay).sk,
        throughChunksOf(keys.dailyRollup(accountId, toDay).sk),
      ],
    });
    return records.map((record) => decodeRollup(record.body));
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
    return records
      .filter((record) => Number(record.head.expiresAt) > expiredBefore)
      .map((record) => decodePoll(record.body))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  /**
   * Rolls up the finished days not rolled up yet (bounded by the retention: older raw polls are gone), or
   * `day` again when a late poll arrives for a day already rolled up.
   */
  private async keepRollupsCurrent(accountId: string, day: string): Promise<void> {
    // An eventually consistent read is enough: a stale answer only makes a day roll up twice.
    const progress = await this.table.send(() =>
      this.table.doc.send(
        new GetCommand({ TableName: this.table.name, Key: keys.rollupProgress(accountId) }),
      ),
    );
    const through = progress.Item?.through as string | undefined;
    if (through !== undefined && day <= through) {
      await this.rollUp(accountId, day, day);
      return;
    }
    const yesterday = addDays(day, -1);
    const oldestKept = addDays(day, -this.options.retentionDays);
    const first = through === undefined || through < oldestKept ? oldestKept : addDays(through, 1);
    if (first > yesterday) return;
    await this.rollUp(accountId, first, yesterday);
    await this.table
      .send(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: keys.rollupProgress(accountId),
            UpdateExpression: 'SET through = :through',
            // Concurrent pollers may race; the mark only ever moves forward.
            ConditionExpression: 'attribute_not_exists(through) OR through < :through',
            ExpressionAttributeValues: { ':through': yesterday },
          }),
        ),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailure(error)) throw error;
      });
  }

  /** Writes the roll-up of every day in `fromDay`..`toDay` that has raw polls. */
  private async rollUp(accountId: string, fromDay: string, toDay: string): Promise<void> {
    const polls = await this.readRawPolls(
      accountId,
      new Date(`${fromDay}T00:00:00.000Z`),
      new Date(`${toDay}T23:59:59.999Z`),
    );
    const byDay = new Map<string, Poll[]>();
    for (const poll of polls) {
      const day = utcDay(poll.at);
      if (day >= fromDay && day <= toDay) byDay.set(day, [...(byDay.get(day) ?? []), poll]);
    }
    for (const [day, dayPolls] of byDay) {
      const rollup = rollUpDay(day, dayPolls);
      await this.records.write(
        keys.dailyRollup(accountId, day),
        { day, encoding: POLL_ENCODING },
        await encodeRollup(rollup),
      );
    }
  }
}

function within(at: string, from: Date, to: Date): boolean {
  const ms = Date.parse(at);
  return ms >= from.getTime() && ms <= to.getTime();
}
