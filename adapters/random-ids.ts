/** Random ids for subscribers and one-time values: 120 bits, URL-safe, and never read as a CLI option. */
import { randomBytes } from 'node:crypto';

/**
 * Twenty base64url characters from 15 random bytes. Ids that would begin with `-` or `_` are drawn again
 * (about one in thirty-two): operators paste ids into `likewatch subscribers remove ID`, where a leading
 * dash would be taken for an option.
 */
export function randomId(): string {
  for (;;) {
    const id = randomBytes(15).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}
