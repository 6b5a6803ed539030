/**
 * HMAC-signed, expiring, purpose-bound tokens for links in emails and pages (unsubscribe, preferences,
 * reconnect, confirm), the TikTok OAuth state and forms' anti-CSRF tokens. A token for one purpose never
 * verifies for another, comparison is constant-time, an expired token is refused, and a token has exactly one
 * accepted spelling: base64url without padding, as `sign` writes it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TokenPurpose } from '../core/model.ts';

/** What a token may be used for (defined with the model, so the core can name purposes too). */
export { TokenPurpose };

/**
 * One canonical base64url segment: only the URL-safe alphabet, no padding. Decoders are lenient (they skip
 * foreign characters and padding, and ignore the spare bits of the last character), so a segment is also
 * re-encoded and compared: `…c` and `…d` can decode to the same bytes, and only one of them is the token.
 */
const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]+$/;

function isCanonicalSegment(segment: string): boolean {
  return (
    BASE64URL_SEGMENT.test(segment) &&
    Buffer.from(segment, 'base64url').toString('base64url') === segment
  );
}

const Claims = z.object({
  p: TokenPurpose,
  /** The subscriber or account the token is about. */
  s: z.string().min(1),
  /** Expiry, seconds since the epoch. */
  e: z.number().int(),
});

/** Why a token was refused. */
export type TokenRejection = 'malformed' | 'bad_signature' | 'expired' | 'wrong_purpose';

/** Signs and verifies tokens with one secret key. */
export class TokenSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('the token signing key must be at least 32 characters');
    this.key = Buffer.from(secret, 'utf8');
  }

  /** A token for `purpose` about `subject`, valid until `expiresAt`. */
  sign(purpose: TokenPurpose, subject: string, expiresAt: Date): string {
    const claims = Buffer.from(
      JSON.stringify({ p: purpose, s: subject, e: Math.floor(expiresAt.getTime() / 1000) }),
    ).toString('base64url');
    return `${claims}.${this.mac(claims)}`;
  }

  /** The token's subject if it is genuine, unexpired and for `purpose`; otherwise why not. */
  verify(
    token: string,
    purpose: TokenPurpose,
    now: Date,
  ): { ok: true; subject: string } | { ok: false; rejection: TokenRejection } {
    const [claims, mac, extra] = token.split('.');
    if (!claims || !mac || extra !== undefined) return { ok: false, rejection: 'malformed' };
    // Before the MAC: another spelling of a genuine MAC is not the token, so it is refused as malformed.
    if (!isCanonicalSegment(claims) || !isCanonicalSegment(mac)) {
      return { ok: false, rejection: 'malformed' };
    }
    const expected = Buffer.from(this.mac(claims), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, rejection: 'bad_signature' };
    }
    let parsed: z.infer<typeof Claims>;
    try {
      parsed = Claims.parse(JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')));
    } catch {
      return { ok: false, rejection: 'malformed' };
    }
    if (parsed.p !== purpose) return { ok: false, rejection: 'wrong_purpose' };
    if (parsed.e * 1000 <= now.getTime()) return { ok: false, rejection: 'expired' };
    return { ok: true, subject: parsed.s };
  }

  private mac(claims: string): string {
    return createHmac('sha256', this.key).update(claims).digest('base64url');
  }
}
