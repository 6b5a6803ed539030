import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type DataKeyProvider,
  type EncryptionContext,
  EnvelopeCipher,
  type EnvelopeCipherOptions,
  LocalDataKeys,
  type SealedSecret,
} from '../../../adapters/credential-cipher.ts';
import { InvalidConfigError } from '../../../core/errors.ts';

const MINUTE = 60_000;
const PURPOSE = { purpose: 'tiktok-credentials' };

/** A {@link DataKeyProvider} over a real local key that records every request it gets. */
class CountingDataKeys implements DataKeyProvider {
  readonly scheme: string;
  readonly generated: EncryptionContext[] = [];
  readonly unwrapped: { wrappedKey: Buffer; context: EncryptionContext }[] = [];
  /** Unwraps left to fail before unwrapping works again. */
  failUnwraps = 0;
  private readonly inner: LocalDataKeys;

  constructor(masterKey: Uint8Array = randomBytes(32)) {
    this.inner = new LocalDataKeys(masterKey);
    this.scheme = this.inner.scheme;
  }

  async generateDataKey(context: EncryptionContext) {
    this.generated.push({ ...context });
    return this.inner.generateDataKey(context);
  }

  async unwrapDataKey(wrappedKey: Uint8Array, context: EncryptionContext) {
    this.unwrapped.push({ wrappedKey: Buffer.from(wrappedKey), context: { ...context } });
    if (this.failUnwraps > 0) {
      this.failUnwraps -= 1;
      throw new Error('provider unavailable');
    }
    return this.inner.unwrapDataKey(wrappedKey, context);
  }
}

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-11-27T07:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function cipherWith(provider: DataKeyProvider, options: EnvelopeCipherOptions = {}) {
  return new EnvelopeCipher(provider, options);
}

const plaintextFor = (accountId: string) => Buffer.from(`{"accessToken":"act.${accountId}"}`);

/** How the cipher sealed before data keys were shared: a data key per secret, bound to the account. */
async function sealTheOldWay(
  provider: DataKeyProvider,
  plaintext: Uint8Array,
  context: EncryptionContext,
): Promise<SealedSecret> {
  const { key, wrappedKey } = await provider.generateDataKey(context);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(
    Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b)))),
  );
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    scheme: provider.scheme,
    wrappedKey,
    sealed: Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]),
  };
}

const distinctWrappedKeys = (secrets: SealedSecret[]) =>
  new Set(secrets.map((s) => Buffer.from(s.wrappedKey).toString('base64'))).size;

describe('EnvelopeCipher data-key reuse for sealing', () => {
  it('should seal many secrets with one data key under the fixed purpose context', async () => {
    // Arrange
    const provider = new CountingDataKeys();
    const cipher = cipherWith(provider);
    // Act
    const sealed = [];
    for (let i = 0; i < 100; i += 1) {
      sealed.push(await cipher.seal(plaintextFor(`a${i}`), { accountId: `a${i}` }));
    }
    // Assert
    expect(provider.generated).toEqual([PURPOSE]);
    expect(distinctWrappedKeys(sealed)).toBe(1);
    expect(new Set(sealed.map((s) => s.scheme))).toEqual(new Set(['local/shared-key']));
    for (let i = 0; i < 100; i += 1) {
      const opened = await cipher.open(sealed[i] as SealedSecret, { accountId: `a${i}` });
      expect(Buffer.from(opened)).toEqual(plaintextFor(`a${i}`));
    }
  });

  it('should share one data key request among concurrent seals', async () => {
    const provider = new CountingDataKeys();
    const cipher = cipherWith(provider);
    const sealed = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        cipher.seal(plaintextFor(`a${i}`), { accountId: `a${i}` }),
      ),
    );
    expect(provider.generated).toHaveLength(1);
    expect(distinctWrappedKeys(sealed)).toBe(1);
  });

  it('should make a fresh data key once the current one is 15 minutes old', async () => {
    // Arrange
    const provider = new CountingDataKeys();
    const clock = manualClock();
    const cipher = cipherWith(provider, { now: clock.now });
    const first = await cipher.seal(plaintextFor('a1'), { accountId: 'a1' });
    // Act
    clock.advance(15 * MINUTE - 1);
    const stillFirst = await cipher.seal(plaintextFor('a2'), { accountId: 'a2' });
    clock.advance(1);
    const second = await cipher.seal(plaintextFor('a3'), { accountId: 'a3' });
    const stillSecond = await cipher.seal(plaintextFor('a4'), { accountId: 'a4' });
    // Assert
    expect(provider.generated).toHaveLength(2);
    expect(stillFirst.wrappedKey).toEqual(first.wrappedKey);
    expect(second.wrappedKey).not.toEqual(first.wrappedKey);
    expect(stillSecond.wrappedKey).toEqual(second.wrappedKey);
  });

  it('should honour a configured age limit', async () => {
    const provider = new CountingDataKeys();
    const clock = manualClock();
    const cipher = cipherWith(provider, { now: clock.now, sealKeyMaxAgeMs: 1_000 });
    await cipher.seal(plaintextFor('a1'), { accountId: 'a1' });
    clock.advance(999);
    await cipher.seal(plaintextFor('a1'), { accountId: 'a1' });
    expect(provider.generated).toHaveLength(1);
    clock.advance(1);
    await cipher.seal(plaintextFor('a1'), { accountId: 'a1' });
    expect(provider.generated).toHaveLength(2);
  });

  it('should make a fresh data key after 10,000 seals by default', async () => {
    // Arrange
    const provider = new CountingDataKeys();
    const cipher = cipherWith(provider, { now: manualClock().now });
    const plaintext = Buffer.from('x');
    // Act
    const sealed = [];
    for (let i = 0; i < 10_001; i += 1) {
      sealed.push(await cipher.seal(plaintext, { accountId: 'a1' }));
    }
    // Assert
    expect(provider.generated).toHaveLength(2);
    expect(distinctWrappedKeys(sealed.slice(0, 10_000))).toBe(1);
    expect(sealed[10_000]?.wrappedKey).not.toEqual(sealed[9_999]?.wrappedKey);
  });

  it('should honour a configured seal limit, also for concurrent seals', async () => {
    const provider = new CountingDataKeys();
    const cipher = cipherWith(provider, { sealKeyMaxSeals: 3 });
    const sequential = [];
    for (let i = 0; i < 7; i += 1) {
      sequential.push(await cipher.seal(plaintextFor('a1'), { accountId: 'a1' }));
    }
    expect(provider.generated).toHaveLength(3);
    expect(distinctWrappedKeys(sequential)).toBe(3);

    const fresh = new CountingDataKeys();
    const shared = cipherWith(fresh, { sealKeyMaxSeals: 3 });
    const batch = await Promise.all(
      Array.from({ length: 7 }, () => shared.seal(plaintextFor('a1'), { accountId: 'a1' })),
    );
    const perKey = new Map<string, number>();
    for (const s of batch) {
      const id = Buffer.from(s.wrappedKey).toString('base64');
      perKey.set(id, (perKey.get(id) ?? 0) + 1);
    }
    expect(fresh.generated).toHaveLength(3);
    expect([...perKey.values()].every((count) => count <= 3)).toBe(true);
  });

  it('should make a data key again after a failed request', async () => {
    const provider = new CountingDataKeys();
    const cipher = cipherWith(provider);
    const generate = provider.generateDataKey.bind(provider);
    let failures = 1;
    provider.generateDataKey = async (context) => {
      if (failures-- > 0) throw new Error('provider unavailable');
      return generate(context);
    };
    await expect(cipher.seal(plaintextFor('a1'), { accountId: 'a1' })).rejects.toThrow(
      'provider unavailable',
    );
    const sealed = await cipher.seal(plaintextFor('a1'), { accountId: 'a1' });
    expect(Buffer.from(await cipher.open(sealed, { accountId: 'a1' }))).toEqual(plaintextFor('a1'));
  });
});

describe('EnvelopeCipher unwrapped-key cache for opening', () => {
  it('should unwrap a shared data key once for many secrets', async () => {
    // Arrange: another process sealed 50 accounts' secrets under one data key.
    const masterKey = randomBytes(32);
    const sealer = cipherWith(new LocalDataKeys(masterKey));
    const sealed = [];
    for (let i = 0; i < 50; i += 1) {
      sealed.push(await sealer.seal(plaintextFor(`a${i}`), { accountId: `a${i}` }));
    }
    const provider = new CountingDataKeys(masterKey);
    const cipher = cipherWith(provider);
    // Act
    const opened = await Promise.all(sealed.map((s, i) => cipher.open(s, { accountId: `a${i}` })));
    for (let i = 0; i < 50; i += 1) {
      await cipher.open(sealed[i] as SealedSecret, { accountId: `a${i}` });
    }
    // Assert
    expect(opened.map((o) => Buffer.from(o).toString())).toEqual(
      sealed.map((_, i) => plaintextFor(`a${i}`).toString()),
    );
    expect(provider.unwrapped).toHaveLength(1);
    expect(provider.unwrapped[0]?.context).toEqual(PURPOSE);
  });

  it('should open what it sealed itself without unwrapping', async () => {
    const provider = new CountingDataKeys();
    const cipher = cipherWith(provider);
    const sealed = await cipher.seal(plaintextFor('a1'), { accountId: 'a1' });
    expect(Buffer.from(await cipher.open(sealed, { accountId: 'a1' }))).toEqual(plaintextFor('a1'));
    expect(provider.unwrapped).toHaveLength(0);
  });

  it('should unwrap again once the cached key is an hour old', async () => {
    const masterKey = randomBytes(32);
    const sealed = await cipherWith(new LocalDataKeys(masterKey)).seal(plaintextFor('a1'), {
      accountId: 'a1',
    });
    const provider = new CountingDataKeys(masterKey);
    const clock = manualClock();
    const cipher = cipherWith(provider, { now: clock.now });
    await cipher.open(sealed, { accountId: 'a1' });
    clock.advance(60 * MINUTE - 1);
    await cipher.open(sealed, { accountId: 'a1' });
    expect(provider.unwrapped).toHaveLength(1);
    clock.advance(1);
    await cipher.open(sealed, { accountId: 'a1' });
    expect(provider.unwrapped).toHaveLength(2);
  });

  it('should evict the least recently used key beyond the entry bound', async () => {
    // Arrange: three secrets under three data keys, and room for two.
    const masterKey = randomBytes(32);
    const sealer = cipherWith(new LocalDataKeys(masterKey), { sealKeyMaxSeals: 1 });
    const [s1, s2, s3] = [
      await sealer.seal(plaintextFor('a1'), { accountId: 'a1' }),
      await sealer.seal(plaintextFor('a2'), { accountId: 'a2' }),
      await sealer.seal(plaintextFor('a3'), { accountId: 'a3' }),
    ] as [SealedSecret, SealedSecret, SealedSecret];
    expect(distinctWrappedKeys([s1, s2, s3])).toBe(3);
    const provider = new CountingDataKeys(masterKey);
    const cipher = cipherWith(provider, { openKeyMaxEntries: 2 });
    const unwrappedKeys = () =>
      provider.unwrapped.map(({ wrappedKey }) =>
        [s1, s2, s3].findIndex((s) => Buffer.from(s.wrappedKey).equals(wrappedKey)),
      );
    // Act
    await cipher.open(s1, { accountId: 'a1' }); // miss
    await cipher.open(s2, { accountId: 'a2' }); // miss
    await cipher.open(s1, { accountId: 'a1' }); // hit: s1 is now the most recently used
    await cipher.open(s3, { accountId: 'a3' }); // miss: evicts s2
    await cipher.open(s1, { accountId: 'a1' }); // hit
    await cipher.open(s2, { accountId: 'a2' }); // miss: evicts s3
    await cipher.open(s1, { accountId: 'a1' }); // hit
    // Assert
    expect(unwrappedKeys()).toEqual([0, 1, 2, 1]);
  });

  it('should keep at most 1,000 unwrapped keys by default', async () => {
    const masterKey = randomBytes(32);
    const sealer = cipherWith(new LocalDataKeys(masterKey), { sealKeyMaxSeals: 1 });
    const sealed = [];
    for (let i = 0; i < 1_001; i += 1) {
      sealed.push(await sealer.seal(plaintextFor('a1'), { accountId: 'a1' }));
    }
    const provider = new CountingDataKeys(masterKey);
    const cipher = cipherWith(provider);
    for (const s of sealed) await cipher.open(s, { accountId: 'a1' });
    expect(provider.unwrapped).toHaveLength(1_001);
    // The newest 1,000 are kept; the first one was evicted.
    for (const s of sealed.slice(1)) await cipher.open(s, { accountId: 'a1' });
    expect(provider.unwrapped).toHaveLength(1_001);
    await cipher.open(sealed[0] as SealedSecret, { accountId: 'a1' });
    expect(provider.unwrapped).toHaveLength(1_002);
  });

  it('should not remember a failed unwrap', async () => {
    const masterKey = randomBytes(32);
    const sealed = await cipherWith(new LocalDataKeys(masterKey)).seal(plaintextFor('a1'), {
      accountId: 'a1',
    });
    const provider = new CountingDataKeys(masterKey);
    provider.failUnwraps = 1;
    const cipher = cipherWith(provider);
    await expect(cipher.open(sealed, { accountId: 'a1' })).rejects.toThrow('provider unavailable');
    expect(Buffer.from(await cipher.open(sealed, { accountId: 'a1' }))).toEqual(plaintextFor('a1'));
    await cipher.open(sealed, { accountId: 'a1' });
    expect(provider.unwrapped).toHaveLength(2);
  });
});

describe('EnvelopeCipher binding and compatibility', () => {
  it('should not open a secret sealed for one account as another, even with the key cached', async () => {
    // Arrange
    const masterKey = randomBytes(32);
    const sealer = cipherWith(new LocalDataKeys(masterKey));
    const forA = await sealer.seal(plaintextFor('a'), { accountId: 'a' });
    const forB = await sealer.seal(plaintextFor('b'), { accountId: 'b' });
    expect(forA.wrappedKey).toEqual(forB.wrappedKey);
    const opener = cipherWith(new LocalDataKeys(masterKey));
    // Act / Assert: the shared data key is cached by now, only the AES-GCM binding can refuse.
    expect(Buffer.from(await opener.open(forB, { accountId: 'b' }))).toEqual(plaintextFor('b'));
    await expect(opener.open(forA, { accountId: 'b' })).rejects.toThrow();
    await expect(sealer.open(forA, { accountId: 'b' })).rejects.toThrow();
    await expect(opener.open(forA, {})).rejects.toThrow();
    // A copy of A's secret stored on B's record does not open as B either.
    await expect(opener.open({ ...forA }, { accountId: 'b' })).rejects.toThrow();
  });

  it('should open secrets sealed the old way, a data key per secret bound to the account', async () => {
    // Arrange
    const masterKey = randomBytes(32);
    const old = await sealTheOldWay(new LocalDataKeys(masterKey), plaintextFor('a1'), {
      accountId: 'a1',
    });
    const provider = new CountingDataKeys(masterKey);
    const cipher = cipherWith(provider);
    // Act
    const opened = await cipher.open(old, { accountId: 'a1' });
    // Assert
    expect(old.scheme).toBe('local');
    expect(Buffer.from(opened)).toEqual(plaintextFor('a1'));
    expect(provider.unwrapped.map((u) => u.context)).toEqual([{ accountId: 'a1' }]);
    await expect(cipher.open(old, { accountId: 'a2' })).rejects.toThrow();
    // Resealed, it moves to the new scheme.
    const resealed = await cipher.seal(opened, { accountId: 'a1' });
    expect(resealed.scheme).toBe('local/shared-key');
    expect(Buffer.from(await cipher.open(resealed, { accountId: 'a1' }))).toEqual(
      plaintextFor('a1'),
    );
  });

  it('should not open an old-scheme secret when the scheme is relabelled as shared', async () => {
    const masterKey = randomBytes(32);
    const old = await sealTheOldWay(new LocalDataKeys(masterKey), plaintextFor('a1'), {
      accountId: 'a1',
    });
    const cipher = cipherWith(new LocalDataKeys(masterKey));
    await expect(
      cipher.open({ ...old, scheme: 'local/shared-key' }, { accountId: 'a1' }),
    ).rejects.toThrow();
    const shared = await cipher.seal(plaintextFor('a1'), { accountId: 'a1' });
    await expect(
      cipherWith(new LocalDataKeys(masterKey)).open(
        { ...shared, scheme: 'local' },
        { accountId: 'a1' },
      ),
    ).rejects.toThrow();
  });

  it('should refuse tampered ciphertext and tampered wrapped keys', async () => {
    const masterKey = randomBytes(32);
    const cipher = cipherWith(new LocalDataKeys(masterKey));
    const sealed = await cipher.seal(plaintextFor('a1'), { accountId: 'a1' });
    const flipped = (bytes: Uint8Array, at: number) => {
      const copy = Buffer.from(bytes);
      copy[at] = (copy[at] as number) ^ 0x01;
      return copy;
    };
    for (const at of [0, 12, sealed.sealed.length - 1]) {
      await expect(
        cipher.open({ ...sealed, sealed: flipped(sealed.sealed, at) }, { accountId: 'a1' }),
      ).rejects.toThrow();
    }
    await expect(
      cipherWith(new LocalDataKeys(masterKey)).open(
        { ...sealed, wrappedKey: flipped(sealed.wrappedKey, 20) },
        { accountId: 'a1' },
      ),
    ).rejects.toThrow();
    // The untouched secret still opens.
    expect(Buffer.from(await cipher.open(sealed, { accountId: 'a1' }))).toEqual(plaintextFor('a1'));
  });

  it('should name the configured and the sealing key when they differ', async () => {
    const cipher = cipherWith(new LocalDataKeys(randomBytes(32)));
    const sealed = await cipher.seal(plaintextFor('a1'), { accountId: 'a1' });
    for (const scheme of ['kms', 'kms/shared-key']) {
      const opening = cipher.open({ ...sealed, scheme }, { accountId: 'a1' });
      await expect(opening).rejects.toThrow(InvalidConfigError);
      await expect(cipher.open({ ...sealed, scheme }, { accountId: 'a1' })).rejects.toThrow(
        /sealed with the 'kms' key .*configured with 'local'/,
      );
    }
    await expect(
      cipher.open({ ...sealed, scheme: 'local/v9' }, { accountId: 'a1' }),
    ).rejects.toThrow(/unknown scheme 'local\/v9'/);
  });

  it('should refuse limits that are not positive', () => {
    const provider = new CountingDataKeys();
    expect(() => cipherWith(provider, { sealKeyMaxSeals: 0 })).toThrow(InvalidConfigError);
    expect(() => cipherWith(provider, { sealKeyMaxSeals: 1.5 })).toThrow(/positive integer/);
    expect(() => cipherWith(provider, { sealKeyMaxAgeMs: -1 })).toThrow(InvalidConfigError);
    expect(() => cipherWith(provider, { openKeyMaxEntries: 0 })).toThrow(InvalidConfigError);
    expect(() => cipherWith(provider, { openKeyMaxAgeMs: Number.NaN })).toThrow(InvalidConfigError);
  });
});
