import { describe, expect, it } from 'vitest';
import { TokenSigner } from '../../../adapters/signed-tokens.ts';

const key = 'k'.repeat(40);
const now = new Date('2026-11-25T07:00:00Z');
const inADay = new Date(now.getTime() + 86_400_000);

describe('TokenSigner', () => {
  const signer = new TokenSigner(key);

  it('should verify a token it signed, for its purpose, before expiry', () => {
    const token = signer.sign('unsubscribe', 'sub-1', inADay);
    expect(signer.verify(token, 'unsubscribe', now)).toEqual({ ok: true, subject: 'sub-1' });
  });

  it('should refuse a token used for another purpose', () => {
    const token = signer.sign('confirm', 'sub-1', inADay);
    expect(signer.verify(token, 'unsubscribe', now)).toEqual({
      ok: false,
      rejection: 'wrong_purpose',
    });
  });

  it('should refuse an expired token', () => {
    const token = signer.sign('unsubscribe', 'sub-1', inADay);
    expect(signer.verify(token, 'unsubscribe', new Date(inADay.getTime() + 1000))).toEqual({
      ok: false,
      rejection: 'expired',
    });
  });

  it('should refuse a token signed with another key or with edited claims', () => {
    const foreign = new TokenSigner('x'.repeat(40)).sign('unsubscribe', 'sub-1', inADay);
    expect(signer.verify(foreign, 'unsubscribe', now)).toEqual({
      ok: false,
      rejection: 'bad_signature',
    });

    const [, mac] = signer.sign('unsubscribe', 'sub-1', inADay).split('.');
    const edited = Buffer.from(
      JSON.stringify({ p: 'unsubscribe', s: 'sub-2', e: 9_999_999_999 }),
    ).toString('base64url');
    expect(signer.verify(`${edited}.${mac}`, 'unsubscribe', now)).toEqual({
      ok: false,
      rejection: 'bad_signature',
    });
  });

  it.each(['', 'abc', 'a.b.c', '..', '.', 'x'.repeat(5000)])(
    'should call %j malformed or forged',
    (token) => {
      const result = signer.verify(token, 'unsubscribe', now);
      expect(result.ok).toBe(false);
    },
  );

  it('should accept exactly one spelling of a token: no other spelling of its MAC or claims', () => {
    const token = signer.sign('unsubscribe', 'sub-1', inADay);
    expect(signer.verify(token, 'unsubscribe', now).ok).toBe(true);
    const [claims, mac] = token.split('.') as [string, string];
    // The MAC's last character carries two spare bits: flipping them decodes to the same 32 bytes.
    const last = mac.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = alphabet[alphabet.indexOf(last) ^ 1] as string;
    const twin = `${mac.slice(0, -1)}${sameBytes}`;
    expect(Buffer.from(twin, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    const standard = mac.replaceAll('-', '+').replaceAll('_', '/');
    const spellings = [
      `${claims}.${twin}`,
      `${claims}.${mac}=`,
      `${claims}.${mac}!!`,
      `${claims}.${mac} `,
      `${claims}=.${mac}`,
      `${claims}.${standard}`,
    ];
    // Unless the MAC happens to use neither `-` nor `_`, the standard alphabet spells it differently.
    const different = spellings.filter((spelling) => spelling !== token);
    expect(different.length).toBeGreaterThanOrEqual(5);
    for (const spelling of different) {
      expect([spelling, signer.verify(spelling, 'unsubscribe', now)]).toEqual([
        spelling,
        { ok: false, rejection: 'malformed' },
      ]);
    }
  });

  it('should refuse a short signing key', () => {
    expect(() => new TokenSigner('short')).toThrow(/at least 32/);
  });
});
