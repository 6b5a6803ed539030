/**
 * Reading the base polls that later polls of a day refer to (`poll-bases.ts`): for polls about to be written,
 * and for stored polls being decoded.
 */
import type { Poll } from '../../core/model.ts';
import type { PollToStore } from '../../core/ports.ts';
import { keys } from './keys.ts';
import { baseSlotOf, MissingBaseError, type PollBase, pollBase } from './poll-bases.ts';
import { decodePoll } from './poll-codec.ts';
import type { DynamoTable, Item } from './table.ts';

/** A base poll as read for a poll being written: what it lists, and when it expires. */
export interface StoredBase {
  base: PollBase;
  expiresAt: number;
}

/** The slot of a stored poll, from its sort key. */
function slotOf(item: Record<string, unknown>): string {
  return String(item.sk).slice(keys.poll('', '').sk.length);
}

/**
 * For each poll with videos at a slot other than its day's first, that first slot's poll when it is stored
 * `ok` in one item: what the poll may refer to (one eventually consistent batch read; a base not seen yet only
 * means the poll is written whole). Without a cadence (imports) no poll refers to another.
 */
export async function readBases(
  table: DynamoTable,
  polls: readonly PollToStore[],
  cadenceHours: number | undefined,
): Promise<Array<StoredBase | undefined>> {
  const wanted = polls.map(({ accountId, slot, poll }) => {
    const slotMs = Date.parse(slot);
    if (cadenceHours === undefined || !('videos' in poll) || Number.isNaN(slotMs)) return undefined;
    const baseMs = baseSlotOf(slotMs, cadenceHours);
    return baseMs === slotMs ? undefined : keys.poll(accountId, new Date(baseMs).toISOString());
  });
  const keyed = wanted.filter((key) => key !== undefined);
  if (keyed.length === 0) return wanted.map(() => undefined);
  const items = new Map(
    (await table.batchGet(keyed, false)).map((item) => [`${item.pk}|${item.sk}`, item]),
  );
  return wanted.map((key) => {
    const item = key && items.get(`${key.pk}|${key.sk}`);
    if (item?.status !== 'ok' || Number(item.chunks) !== 1) return undefined;
    const base = pollBase(slotOf(item), decodePoll(item.part as Uint8Array));
    return base && { base, expiresAt: Number(item.expiresAt) };
  });
}

/**
 * Decodes stored poll records, giving each poll that refers to a base that base: one of `records`, or else read
 * with `readBaseItems` (items of single-item records, as a batch read returns them). A poll whose base is gone is
 * left out when it has itself expired (`expiresAt` before `nowSeconds`: the two expire together, and TTL deletes
 * in no particular order); otherwise that is a store fault, and throws {@link MissingBaseError}.
 */
export async function decodeWithBases(
  records: ReadonlyArray<{ head: Record<string, unknown>; body: Uint8Array }>,
  readBaseItems: (slots: string[]) => Promise<Item[]>,
  nowSeconds: number,
): Promise<Poll[]> {
  const bodies = new Map(records.map((record) => [slotOf(record.head), record.body]));
  const bases = new Map<string, PollBase | undefined>();
  const baseOf = (slot: string) => {
    if (!bases.has(slot)) {
      const body = bodies.get(slot);
      bases.set(slot, body && pollBase(slot, decodePoll(body)));
    }
    return bases.get(slot);
  };
  const missing = new Set<string>();
  // Key order is slot order, so a day's base is decoded before the polls that refer to it, and kept.
  const decoded = records.map((record) => {
    try {
      const poll = decodePoll(record.body, baseOf);
      const slot = slotOf(record.head);
      if (!bases.has(slot)) bases.set(slot, pollBase(slot, poll));
      return poll;
    } catch (error) {
      if (!(error instanceof MissingBaseError)) throw error;
      missing.add(error.slot);
      return undefined;
    }
  });
  if (missing.size > 0) {
    for (const item of await readBaseItems([...missing])) {
      if (Number(item.chunks) === 1) bodies.set(slotOf(item), item.part as Uint8Array);
    }
    for (const slot of missing) bases.delete(slot);
  }
  return records.flatMap((record, index) => {
    const poll = decoded[index];
    if (poll) return [poll];
    try {
      return [decodePoll(record.body, baseOf)];
    } catch (error) {
      if (error instanceof MissingBaseError && Number(record.head.expiresAt) <= nowSeconds)
        return [];
      throw error;
    }
  });
}
