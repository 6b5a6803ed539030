/**
 * HMAC-signed, expiring, purpose-bound tokens for links in emails and pages (unsubscribe, preferences,
 * reconnect, confirm), the TikTok OAuth state and forms' anti-CSRF tokens. A token for one purpose never verifies for another, comparison is constant-time, and
 * an expired token is refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TokenPurpose } from '../core/model.ts';

/** What a token may be used for (defined with the model, so the core can name purposes too). */
export { TokenPurpose };

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
