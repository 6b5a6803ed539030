/**
 * The handles an account was seen under (`ACCOUNT#<id>` / `HANDLE#<handle>`): each with its first and last
 * sighting, so a rename keeps the history (docs/data-model.md).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { HandleSighting } from '../../core/model.ts';
import { accountPartition, keys } from './keys.ts';
import { type DynamoTable, ignoreConditionFailure, stripKeys } from './table.ts';

/** Adds or widens the history item of one handle (first and last sighting). */
export async function recordSighting(
  table: DynamoTable,
  accountId: string,
  handle: string,
  seenAt: Date,
): Promise<void> {
  const at = seenAt.toISOString();
  const update = (expression: string, condition: string) =>
    table
      .send(() =>
        table.doc.send(
          new UpdateCommand({
            TableName: table.name,
            Key: keys.handle(accountId, handle),
            UpdateExpression: expression,
            ConditionExpression: condition,
            ExpressionAttributeValues: { ':handle': handle, ':at': at },
          }),
        ),
      )
      .then(
        () => true,
        (error: unknown) => {
          ignoreConditionFailure(error);
          return false;
        },
      );
  const latest = await update(
    'SET handle = :handle, firstSeenAt = if_not_exists(firstSeenAt, :at), lastSeenAt = :at',
    'attribute_not_exists(lastSeenAt) OR lastSeenAt < :at',
  );
  // A sighting later than every other one cannot be the first; only an older one may move firstSeenAt back.
  if (!latest) await update('SET handle = :handle, firstSeenAt = :at', 'firstSeenAt > :at');
}

/** Every handle the account was seen under, earliest first. */
export async function listSightings(
  table: DynamoTable,
  accountId: string,
): Promise<HandleSighting[]> {
  const items = await table.query({ pk: accountPartition(accountId), prefix: 'HANDLE#' });
  return items
    .map((item) => HandleSighting.parse(stripKeys(item)))
    .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt));
}
