/**
 * Encryption at rest of source credentials (OAuth tokens), by envelope encryption: each secret is sealed with
 * AES-256-GCM under a fresh data key, and only that data key is wrapped by the master key. In AWS the master
 * key is a KMS key (`KmsDataKeys`, the key never leaves KMS); the embedded default wraps with an AES-256 key
 * from configuration ({@link LocalDataKeys}). The encryption context (the account id) is bound to both layers,
 * so a sealed secret copied onto another account does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { InvalidConfigError } from '../core/errors.ts';
import { KmsDataKeys } from './kms-data-keys.ts';

/** A secret as stored: the data key wrapped by the master key, and the secret sealed under the data key. */
export interface SealedSecret {
  /** Which master key wrapped the data key: `kms` or `local`. */
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

/** Envelope encryption over a {@link DataKeyProvider}. */
export class EnvelopeCipher implements CredentialCipher {
  constructor(private readonly dataKeys: DataKeyProvider) {}

  async seal(plaintext: Uint8Array, context: EncryptionContext): Promise<SealedSecret> {
    const { key, wrappedKey } = await this.dataKeys.generateDataKey(context);
    return {
      scheme: this.dataKeys.scheme,
      wrappedKey,
      sealed: aesGcmSeal(key, plaintext, context),
    };
  }

  async open(secret: SealedSecret, context: EncryptionContext): Promise<Uint8Array> {
    if (secret.scheme !== this.dataKeys.scheme) {
      throw new InvalidConfigError(
        `credentials were sealed with the '${secret.scheme}' key, but this store is configured with '${this.dataKeys.scheme}'`,
      );
    }
    const key = await this.dataKeys.unwrapDataKey(secret.wrappedKey, context);
    return aesGcmOpen(key, secret.sealed, context);
  }
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

/** Where the master key comes from: exactly one of a KMS key (AWS) or a local key (embedded default). */
export interface CredentialKeyConfig {
  /** Id, ARN or alias of the KMS key (the deployed stack sets `CREDENTIALS_KMS_KEY_ID`). */
  CREDENTIALS_KMS_KEY_ID?: string;
  /** 32 random bytes, base64 (the local runtime sets `CREDENTIALS_LOCAL_KEY`). */
  CREDENTIALS_LOCAL_KEY?: string;
}

/** The cipher the configuration asks for; throws InvalidConfigError naming what to set. */
export function createCredentialCipher(config: CredentialKeyConfig): CredentialCipher {
  const { CREDENTIALS_KMS_KEY_ID: kmsKeyId, CREDENTIALS_LOCAL_KEY: localKey } = config;
  if ((kmsKeyId === undefined) === (localKey === undefined)) {
    throw new InvalidConfigError(
      'set exactly one of CREDENTIALS_KMS_KEY_ID or CREDENTIALS_LOCAL_KEY',
    );
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
