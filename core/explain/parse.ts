/**
 * Reading a fleet document from untrusted JSON, with errors that say exactly where the problem is: the account
 * (index and id), the poll (index and instant), the video and the field.
 */
import type { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import { countOf } from '../format.ts';
import { FLEET_FORMAT, Fleet } from '../model.ts';

/**
 * Validates `json` as a `likewatch.fleet/v1` document. Throws `InvalidInputError` naming the field, e.g.
 * `accounts[2] (id 665…, @clorismen) › polls[14] (at 2026-11-24T12:00:00Z) › videos[3] › likes: expected a
 * non-negative integer`. A document of another (or no) `format` is rejected before anything else.
 */
export function parseFleet(json: unknown): Fleet {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidInputError(`expected a JSON object with "format": "${FLEET_FORMAT}"`);
  }
  const format = (json as Record<string, unknown>).format;
  if (format !== FLEET_FORMAT) {
    throw new InvalidInputError(
      `format: expected "${FLEET_FORMAT}", got ${format === undefined ? 'no format field' : JSON.stringify(format)}`,
    );
  }
  const result = Fleet.safeParse(json);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const more = rest.length > 0 ? ` (and ${countOf(rest.length, 'more problem')})` : '';
  throw new InvalidInputError(`${describeIssue(json, first as z.core.$ZodIssue)}${more}`);
}

/** "accounts[2] (id …, @handle) › polls[14] (at …) › videos[3] (id …) › likes: message". */
function describeIssue(json: unknown, issue: z.core.$ZodIssue): string {
  const parts: string[] = [];
  let node: unknown = json;
  const path = issue.path;
  for (let index = 0; index < path.length; index += 1) {
    const key = path[index] as PropertyKey;
    const parent = path[index - 1];
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<PropertyKey, unknown>)[key]
        : undefined;
    if (typeof key === 'number' && typeof parent === 'string') {
      parts.push(`${parent}[${key}]${identify(parent, node)}`);
    } else if (typeof key === 'string' && typeof path[index + 1] !== 'number') {
      parts.push(key);
    }
  }
  const where = parts.length > 0 ? parts.join(' › ') : 'fleet';
  return `${where}: ${issue.message}`;
}

/** A short identification of an array element, so the message names the account, poll or video. */
function identify(collection: string, element: unknown): string {
  if (element === null || typeof element !== 'object') return '';
  const record = element as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  if (collection === 'accounts') {
    const id = text(record.id);
    const handle = text(record.handle);
    const names = [id ? `id ${id}` : undefined, handle ? `@${handle}` : undefined].filter(Boolean);
    return names.length > 0 ? ` (${names.join(', ')})` : '';
  }
  if (collection === 'polls') return text(record.at) ? ` (at ${record.at})` : '';
  if (collection === 'videos') return text(record.id) ? ` (id ${record.id})` : '';
  return '';
}
