/**
 * Data keys from AWS KMS for the deployed stack: `GenerateDataKey` returns a fresh AES-256 key in clear (kept
 * only in memory, and reused by `EnvelopeCipher` within its bounds) and wrapped by the KMS key; `Decrypt`
 * unwraps it. The KMS key itself never leaves KMS, and KMS checks (and CloudTrail logs) the encryption context
 * the cipher passes on every request.
 */
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { StoreError } from '../core/errors.ts';
import type { DataKeyProvider, EncryptionContext } from './credential-cipher.ts';

/** {@link DataKeyProvider} backed by one KMS key. */
export class KmsDataKeys implements DataKeyProvider {
  readonly scheme = 'kms';

  constructor(
    private readonly kms: KMSClient,
    /** Key id, ARN or alias of the KMS key that wraps the data keys. */
    private readonly keyId: string,
  ) {}

  async generateDataKey(context: EncryptionContext) {
    const result = await this.call(() =>
      this.kms.send(
        new GenerateDataKeyCommand({
          KeyId: this.keyId,
          KeySpec: 'AES_256',
          EncryptionContext: context,
        }),
      ),
    );
    if (!result.Plaintext || !result.CiphertextBlob) {
      throw new StoreError('KMS returned no data key');
    }
    return { key: result.Plaintext, wrappedKey: result.CiphertextBlob };
  }

  async unwrapDataKey(wrappedKey: Uint8Array, context: EncryptionContext) {
    const result = await this.call(() =>
      this.kms.send(
        new DecryptCommand({
          KeyId: this.keyId,
          CiphertextBlob: wrappedKey,
          EncryptionContext: context,
        }),
      ),
    );
    if (!result.Plaintext) throw new StoreError('KMS returned no plaintext for the data key');
    return result.Plaintext;
  }

  private async call<Output>(request: () => Promise<Output>): Promise<Output> {
    try {
      return await request();
    } catch (error) {
      throw new StoreError('KMS request failed', { cause: error });
    }
  }
}
