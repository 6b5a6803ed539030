import { randomBytes } from 'node:crypto';
import { type DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import {
  createCredentialCipher,
  EnvelopeCipher,
  LocalDataKeys,
} from '../../../adapters/credential-cipher.ts';
import { KmsDataKeys } from '../../../adapters/kms-data-keys.ts';
import { InvalidConfigError } from '../../../core/errors.ts';

const secret = Buffer.from('{"accessToken":"act.secret"}');

describe('EnvelopeCipher', () => {
  it('should open what it sealed, and only with the same context', async () => {
    // Arrange
    const cipher = new EnvelopeCipher(new LocalDataKeys(randomBytes(32)));
    // Act
    const sealed = await cipher.seal(secret, { accountId: 'a1' });
    // Assert
    expect(Buffer.from(sealed.sealed).includes(secret)).toBe(false);
    expect(Buffer.from(await cipher.open(sealed, { accountId: 'a1' }))).toEqual(secret);
    await expect(cipher.open(sealed, { accountId: 'a2' })).rejects.toThrow();
  });

  it('should wrap data keys with KMS under the fixed purpose context, not the account', async () => {
    // Arrange: a stand-in KMS that wraps by XOR, and records what it was asked.
    const calls: unknown[] = [];
    const kms = {
      send: async (command: GenerateDataKeyCommand | DecryptCommand) => {
        calls.push(command.input);
        if (command instanceof GenerateDataKeyCommand) {
          const key = randomBytes(32);
          return { Plaintext: key, CiphertextBlob: key.map((byte) => byte ^ 0x5a) };
        }
        return {
          Plaintext: Buffer.from(command.input.CiphertextBlob as Uint8Array).map((b) => b ^ 0x5a),
        };
      },
    } as unknown as KMSClient;
    const sealer = new EnvelopeCipher(new KmsDataKeys(kms, 'alias/likewatch'));
    // A second process (a fresh cipher) opens it, so it has to ask KMS.
    const opener = new EnvelopeCipher(new KmsDataKeys(kms, 'alias/likewatch'));
    // Act
    const sealed = await sealer.seal(secret, { accountId: 'a1' });
    const opened = await opener.open(sealed, { accountId: 'a1' });
    // Assert
    expect(sealed.scheme).toBe('kms/shared-key');
    expect(Buffer.from(opened)).toEqual(secret);
    expect(calls).toEqual([
      {
        KeyId: 'alias/likewatch',
        KeySpec: 'AES_256',
        EncryptionContext: { purpose: 'tiktok-credentials' },
      },
      expect.objectContaining({
        KeyId: 'alias/likewatch',
        EncryptionContext: { purpose: 'tiktok-credentials' },
      }),
    ]);
    await expect(opener.open(sealed, { accountId: 'a2' })).rejects.toThrow();
  });

  it('should refuse a configuration with no key, both keys, or a short local key', () => {
    expect(() => createCredentialCipher({})).toThrow(InvalidConfigError);
    expect(() =>
      createCredentialCipher({ CREDENTIALS_KMS_KEY_ID: 'k', CREDENTIALS_LOCAL_KEY: 'AAAA' }),
    ).toThrow(/exactly one/);
    expect(() => createCredentialCipher({ CREDENTIALS_LOCAL_KEY: 'AAAA' })).toThrow(/32 bytes/);
  });
});
