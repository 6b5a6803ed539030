/**
 * Data keys wrapped by a master key kept in a SecureString parameter (the deployed stack's default): the key
 * is made on first use and read once per process (`SecureParameters`), and wraps data keys as the local
 * master key does. Sealed secrets say `parameter/…`, so they are never mistaken for another key's.
 */
import type { DataKeyProvider, EncryptionContext } from './credential-cipher.ts';
import { LocalDataKeys } from './credential-cipher.ts';
import type { SecureParameters } from './secure-parameters.ts';

/** {@link DataKeyProvider} over a 256-bit master key read from (or first written to) a SecureString parameter. */
export class ParameterDataKeys implements DataKeyProvider {
  readonly scheme = 'parameter';
  private masterKey: Promise<LocalDataKeys> | undefined;

  constructor(
    private readonly parameters: SecureParameters,
    /** Name of the parameter holding the base64 master key. */
    private readonly name: string,
  ) {}

  async generateDataKey(context: EncryptionContext) {
    return (await this.held()).generateDataKey(context);
  }

  async unwrapDataKey(wrappedKey: Uint8Array, context: EncryptionContext) {
    return (await this.held()).unwrapDataKey(wrappedKey, context);
  }

  /** The master key, read once; a failed read is not kept, so the next use asks again. */
  private held(): Promise<LocalDataKeys> {
    if (!this.masterKey) {
      const reading = this.parameters
        .generated(this.name, 'the credentials master key')
        .then((value) => new LocalDataKeys(Buffer.from(value, 'base64')));
      reading.catch(() => {
        if (this.masterKey === reading) this.masterKey = undefined;
      });
      this.masterKey = reading;
    }
    return this.masterKey;
  }
}
