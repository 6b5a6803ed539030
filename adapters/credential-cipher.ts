/**
 * Encryption at rest of source credentials (OAuth tokens), by envelope encryption: each secret is sealed with
 * AES-256-GCM under a data key, and only that data key is wrapped by the master key. In AWS the master key is
 * an AES-256 key kept in a SecureString parameter (`ParameterDataKeys`), or, where the operator asks for a
 * customer managed key, a KMS key (`KmsDataKeys`, the key never leaves KMS); the embedded default wraps with
 * an AES-256 key from configuration ({@link LocalDataKeys}).
 *
 * Data keys are reused, as the AWS Encryption SDK's caching materials manager does, because a KMS request per
 * secret cost more than the rest of the bill: every poll opens the account's credentials and every token
 * refresh seals them, so a data key per secret meant one KMS `Decrypt` per poll and one `GenerateDataKey` per
 * refresh (~12 million requests a month at 100,000 accounts). Now a process seals with one data key for at
 * most 15 minutes and 10,000 seals (far below the ~2^32 random-nonce seals AES-GCM allows per key), and keeps
 * unwrapped data keys in memory by their wrapped bytes (at most 1,000 keys, an hour each), so KMS is asked
 * once per data key, process and hour instead of once per secret. The price is clear data keys in process
 * memory for up to those bounds.
 *
 * Schemes (the stored `scheme` says which one sealed a secret, so both can be opened):
 * - `parameter/shared-key`, `kms/shared-key`, `local/shared-key` (what {@link EnvelopeCipher.seal} writes): the data key is shared by
 *   many secrets, so the master key binds only the fixed context `{ purpose: 'tiktok-credentials' }`; the
 *   secret's own context (the account id) is bound as AES-GCM additional authenticated data. A secret copied
 *   onto another account still does not open, but KMS and CloudTrail no longer see the account id.
 * - `kms`, `local` (older seals, still opened): a data key per secret, with the secret's context bound by the
 *   master key as well as by AES-GCM.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { InvalidConfigError } from '../core/errors.ts';
import { KmsDataKeys } from './kms-data-keys.ts';
import { ParameterDataKeys } from './parameter-data-keys.ts';
import { secureParameters } from './secure-parameters.ts';

/** A secret as stored: the data key wrapped by the master key, and the secret sealed under the data key. */
export interface SealedSecret {
  /**
   * Which master key wrapped the data key and how it was used: `parameter/shared-key`, `kms/shared-key` or `local/shared-key` (data key
   * shared by many secrets), or the older `kms` or `local` (a data key per secret).
   */
  scheme: string;
  wrappedKey: Uint8Array;
  /** AES-GCM nonce, ciphertext and tag of the secret, concatenated. */
  sealed: Uint8Array;
}

/** Who and what a secret belongs to; bound into the encryption, and required to open it again. */
export type EncryptionContext = Record<string, string>;

/** Seals and opens secrets; the store calls it for every credentials write and read. */
export interface CredentialCipher {
  seal(plaintext: Uint8Array, context: EncryptionContext): Promise<SealedSecret>;
  open(secret: SealedSecret, context: EncryptionContext): Promise<Uint8Array>;
}

/** Makes data keys and unwraps them: the only part that differs between KMS and the local key. */
export interface DataKeyProvider {
  readonly scheme: string;
  /** A fresh 256-bit data key, in clear and wrapped. */
  generateDataKey(context: EncryptionContext): Promise<{ key: Uint8Array; wrappedKey: Uint8Array }>;
  unwrapDataKey(wrappedKey: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
}

/** Bounds on how long and how often data keys are reused; every field is optional. */
export interface EnvelopeCipherOptions {
  /** How long one data key keeps sealing new secrets (default 15 minutes). */
  sealKeyMaxAgeMs?: number;
  /** How many secrets one data key seals before a fresh one is made (default 10,000). */
  sealKeyMaxSeals?: number;
  /** How many unwrapped data keys are kept for opening, least recently used evicted (default 1,000). */
  openKeyMaxEntries?: number;
  /** How long an unwrapped data key is kept for opening, from its unwrap (default an hour). */
  openKeyMaxAgeMs?: number;
  /** The clock, in milliseconds (default `Date.now`); tests inject their own. */
  now?: () => number;
}

const ENVELOPE_CIPHER_DEFAULTS = {
  sealKeyMaxAgeMs: 15 * 60_000,
  sealKeyMaxSeals: 10_000,
  openKeyMaxEntries: 1_000,
  // Longer than sealing: keys sealed over the last day are all in use, and each unwrap is a KMS request.
  openKeyMaxAgeMs: 60 * 60_000,
} as const;

/**
 * The context the master key binds to data keys of the shared-key scheme. Fixed, because one data key seals
 * many accounts' secrets; changing it would leave every secret sealed under it unopenable.
 */
const SHARED_KEY_CONTEXT: EncryptionContext = Object.freeze({ purpose: 'tiktok-credentials' });
const SHARED_KEY_SUFFIX = '/shared-key';

/** The data key currently sealing, and how much of its budget is used. */
interface SealingKey {
  key: Uint8Array;
  wrappedKey: Uint8Array;
  createdAt: number;
  seals: number;
}

/** An unwrapped (or being unwrapped) data key; the promise lets concurrent opens share one request. */
interface OpeningKey {
  key: Promise<Uint8Array>;
  createdAt: number;
}

/** Envelope encryption over a {@link DataKeyProvider}, reusing data keys within the configured bounds. */
export class EnvelopeCipher implements CredentialCipher {
  private readonly sealKeyMaxAgeMs: number;
  private readonly sealKeyMaxSeals: number;
  private readonly openKeyMaxEntries: number;
  private readonly openKeyMaxAgeMs: number;
  private readonly now: () => number;
  private readonly sharedScheme: string;
  private sealingKey: SealingKey | undefined;
  private pendingSealingKey: Promise<SealingKey> | undefined;
  /** Insertion order is recency order: a hit moves its entry to the end, eviction takes the first. */
  private readonly openingKeys = new Map<string, OpeningKey>();

  constructor(
    private readonly dataKeys: DataKeyProvider,
    options: EnvelopeCipherOptions = {},
  ) {
    this.sealKeyMaxAgeMs = positive(
      'sealKeyMaxAgeMs',
      options.sealKeyMaxAgeMs ?? ENVELOPE_CIPHER_DEFAULTS.sealKeyMaxAgeMs,
    );
    this.sealKeyMaxSeals = positiveInteger(
      'sealKeyMaxSeals',
      options.sealKeyMaxSeals ?? ENVELOPE_CIPHER_DEFAULTS.sealKeyMaxSeals,
    );
    this.openKeyMaxEntries = positiveInteger(
      'openKeyMaxEntries',
      options.openKeyMaxEntries ?? ENVELOPE_CIPHER_DEFAULTS.openKeyMaxEntries,
    );
    this.openKeyMaxAgeMs = positive(
      'openKeyMaxAgeMs',
      options.openKeyMaxAgeMs ?? ENVELOPE_CIPHER_DEFAULTS.openKeyMaxAgeMs,
    );
    this.now = options.now ?? Date.now;
    this.sharedScheme = `${dataKeys.scheme}${SHARED_KEY_SUFFIX}`;
  }

  async seal(plaintext: Uint8Array, context: EncryptionContext): Promise<SealedSecret> {
    const { key, wrappedKey } = await this.claimSealingKey();
    return {
      scheme: this.sharedScheme,
      wrappedKey,
      sealed: aesGcmSeal(key, plaintext, context),
    };
  }

  async open(secret: SealedSecret, context: EncryptionContext): Promise<Uint8Array> {
    if (secret.scheme === this.sharedScheme) {
      const key = await this.openingKey(secret.scheme, secret.wrappedKey, SHARED_KEY_CONTEXT);
      return aesGcmOpen(key, secret.sealed, context);
    }
    if (secret.scheme === this.dataKeys.scheme) {
      // The older scheme: the master key checks the secret's own context too, so it is part of the cache key.
      const key = await this.openingKey(secret.scheme, secret.wrappedKey, context);
      return aesGcmOpen(key, secret.sealed, context);
    }
    const [provider] = secret.scheme.split('/');
    if (provider !== this.dataKeys.scheme) {
      throw new InvalidConfigError(
        `credentials were sealed with the '${provider}' key (scheme '${secret.scheme}'), but this store is configured with '${this.dataKeys.scheme}'`,
      );
    }
    throw new InvalidConfigError(
      `credentials were sealed with the unknown scheme '${secret.scheme}'; this version opens '${this.sharedScheme}' and '${this.dataKeys.scheme}'`,
    );
  }

  /** One seal's worth of the current data key, making a fresh one when its age or seal budget is spent. */
  private async claimSealingKey(): Promise<SealingKey> {
    const current = this.sealingKey;
    if (
      current &&
      current.seals < this.sealKeyMaxSeals &&
      this.now() - current.createdAt < this.sealKeyMaxAgeMs
    ) {
      current.seals += 1;
      return current;
    }
    // Concurrent seals share one request; a key fresh from the provider is used even if the clock moved past
    // its age meanwhile, so a slow provider cannot make this loop forever.
    let fresh: SealingKey;
    do {
      this.pendingSealingKey ??= this.generateSealingKey();
      fresh = await this.pendingSealingKey;
    } while (fresh.seals >= this.sealKeyMaxSeals);
    fresh.seals += 1;
    return fresh;
  }

  private async generateSealingKey(): Promise<SealingKey> {
    try {
      const { key, wrappedKey } = await this.dataKeys.generateDataKey(SHARED_KEY_CONTEXT);
      const fresh: SealingKey = { key, wrappedKey, createdAt: this.now(), seals: 0 };
      this.sealingKey = fresh;
      // Reading back a secret this process sealed then needs no provider request: the clear key is at hand.
      this.remember(
        this.openingKeyId(this.sharedScheme, wrappedKey, SHARED_KEY_CONTEXT),
        Promise.resolve(key),
      );
      return fresh;
    } finally {
      this.pendingSealingKey = undefined;
    }
  }

  /** The clear data key for a wrapped one, from memory when it was unwrapped recently. */
  private openingKey(
    scheme: string,
    wrappedKey: Uint8Array,
    providerContext: EncryptionContext,
  ): Promise<Uint8Array> {
    const id = this.openingKeyId(scheme, wrappedKey, providerContext);
    const cached = this.openingKeys.get(id);
    if (cached) {
      this.openingKeys.delete(id);
      if (this.now() - cached.createdAt < this.openKeyMaxAgeMs) {
        this.openingKeys.set(id, cached);
        return cached.key;
      }
    }
    const key = this.dataKeys.unwrapDataKey(wrappedKey, providerContext);
    const entry = this.remember(id, key);
    // A failed unwrap is not remembered: the next open asks the provider again.
    key.catch(() => {
      if (this.openingKeys.get(id) === entry) this.openingKeys.delete(id);
    });
    return key;
  }

  private remember(id: string, key: Promise<Uint8Array>): OpeningKey {
    const now = this.now();
    // Misses are rare (each costs a provider request), so sweeping expired keys out of memory here is cheap.
    for (const [otherId, other] of this.openingKeys) {
      if (now - other.createdAt >= this.openKeyMaxAgeMs) this.openingKeys.delete(otherId);
    }
    const entry: OpeningKey = { key, createdAt: now };
    this.openingKeys.delete(id);
    this.openingKeys.set(id, entry);
    for (const oldest of this.openingKeys.keys()) {
      if (this.openingKeys.size <= this.openKeyMaxEntries) break;
      this.openingKeys.delete(oldest);
    }
    return entry;
  }

  /** Names a wrapped key together with what the provider would check when unwrapping it. */
  private openingKeyId(
    scheme: string,
    wrappedKey: Uint8Array,
    providerContext: EncryptionContext,
  ): string {
    return createHash('sha256')
      .update(JSON.stringify([scheme, canonicalContext(providerContext).toString()]))
      .update(wrappedKey)
      .digest('base64');
  }
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InvalidConfigError(`${name} must be a positive number, got ${value}`);
  }
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new InvalidConfigError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Wraps data keys with an AES-256 master key held in configuration (the embedded default). */
export class LocalDataKeys implements DataKeyProvider {
  readonly scheme = 'local';

  constructor(private readonly masterKey: Uint8Array) {
    if (masterKey.length !== 32) {
      throw new InvalidConfigError('the local credentials key must be 32 bytes (base64-encoded)');
    }
  }

  async generateDataKey(context: EncryptionContext) {
    const key = randomBytes(32);
    return { key, wrappedKey: aesGcmSeal(this.masterKey, key, context) };
  }

  async unwrapDataKey(wrappedKey: Uint8Array, context: EncryptionContext) {
    return aesGcmOpen(this.masterKey, wrappedKey, context);
  }
}

/**
 * Where the master key comes from, exactly one of: a SecureString parameter (the deployed default), a customer
 * managed KMS key (the deployed stack with `-c customerKey=true`), or a key in configuration (embedded default).
 */
export interface CredentialKeyConfig {
  /** Name of the SecureString parameter holding the master key, made on first use. */
  CREDENTIALS_KEY_PARAMETER?: string;
  /** Id, ARN or alias of the KMS key. */
  CREDENTIALS_KMS_KEY_ID?: string;
  /** 32 random bytes, base64 (the local runtime sets `CREDENTIALS_LOCAL_KEY`). */
  CREDENTIALS_LOCAL_KEY?: string;
}

/** The cipher the configuration asks for; throws InvalidConfigError naming what to set. */
export function createCredentialCipher(config: CredentialKeyConfig): CredentialCipher {
  const {
    CREDENTIALS_KEY_PARAMETER: parameter,
    CREDENTIALS_KMS_KEY_ID: kmsKeyId,
    CREDENTIALS_LOCAL_KEY: localKey,
  } = config;
  const given = [parameter, kmsKeyId, localKey].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw new InvalidConfigError(
      'set exactly one of CREDENTIALS_KEY_PARAMETER, CREDENTIALS_KMS_KEY_ID or CREDENTIALS_LOCAL_KEY',
    );
  }
  if (parameter !== undefined) {
    return new EnvelopeCipher(new ParameterDataKeys(secureParameters(), parameter));
  }
  return new EnvelopeCipher(
    kmsKeyId !== undefined
      ? new KmsDataKeys(new KMSClient({}), kmsKeyId)
      : new LocalDataKeys(Buffer.from(localKey as string, 'base64')),
  );
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** nonce ‖ ciphertext ‖ tag, with the context as additional authenticated data. */
function aesGcmSeal(key: Uint8Array, plaintext: Uint8Array, context: EncryptionContext): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(canonicalContext(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]);
}

/** Opens what {@link aesGcmSeal} produced; throws when the key, context or bytes do not match. */
function aesGcmOpen(key: Uint8Array, sealed: Uint8Array, context: EncryptionContext): Buffer {
  const bytes = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES));
  decipher.setAAD(canonicalContext(context));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

/** The context as bytes independent of key order. */
function canonicalContext(context: EncryptionContext): Buffer {
  return Buffer.from(
    JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))),
  );
}
