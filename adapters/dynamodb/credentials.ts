/**
 * Source credentials (`ACCOUNT#<id>` / `CREDENTIALS`), sealed by a {@link CredentialCipher} before they are
 * written and opened after they are read, the account bound as authenticated data (docs/data-model.md).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidConfigError, StoreError } from '../../core/errors.ts';
import type { SourceCredentials } from '../../core/ports.ts';
import type { CredentialCipher } from '../credential-cipher.ts';
import { keys } from './keys.ts';
import type { DynamoTable, Item } from './table.ts';

/** Reads and writes sealed credentials; without a cipher, every read and write fails. */
export class CredentialRecords {
  constructor(
    private readonly table: DynamoTable,
    private readonly cipher: CredentialCipher | undefined,
  ) {}

  /** The account's credentials, opened with the configured cipher. */
  async get(accountId: string): Promise<SourceCredentials | undefined> {
    const cipher = this.requireCipher();
    const result = await this.table.send(() =>
      this.table.doc.send(
        new GetCommand({
          TableName: this.table.name,
          Key: keys.credentials(accountId),
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item ? this.openCredentials(cipher, accountId, result.Item) : undefined;
  }

  /**
   * The credentials of several accounts, read strongly consistently with BatchGetItem (100 keys a request,
   * unprocessed keys retried) and opened like {@link CredentialRecords.get}. Accounts without stored
   * credentials are absent from the map; an item that does not open fails the whole read.
   */
  async getMany(accountIds: readonly string[]): Promise<Map<string, SourceCredentials>> {
    const cipher = this.requireCipher();
    const found = await this.table.batchGetNamed(
      accountIds.map((id) => ({ name: id, key: keys.credentials(id) })),
    );
    const opened = await Promise.all(
      found.map(
        async ({ name, item }) => [name, await this.openCredentials(cipher, name, item)] as const,
      ),
    );
    return new Map(opened);
  }

  /** Seals the credentials (the account id is the encryption context) and stores them. */
  async put(accountId: string, credentials: SourceCredentials): Promise<void> {
    const sealed = await this.requireCipher().seal(Buffer.from(JSON.stringify(credentials)), {
      accountId,
    });
    await this.table.put({ ...keys.credentials(accountId), ...sealed });
  }

  /** Opens one stored credentials item (the account id is the encryption context). */
  private async openCredentials(
    cipher: CredentialCipher,
    accountId: string,
    item: Item,
  ): Promise<SourceCredentials> {
    const { scheme, wrappedKey, sealed } = item;
    if (typeof scheme !== 'string') {
      throw new StoreError(`the credentials of account ${accountId} are not sealed`);
    }
    const plaintext = await cipher.open(
      { scheme, wrappedKey: wrappedKey as Uint8Array, sealed: sealed as Uint8Array },
      { accountId },
    );
    return JSON.parse(Buffer.from(plaintext).toString('utf8')) as SourceCredentials;
  }

  private requireCipher(): CredentialCipher {
    if (!this.cipher) {
      throw new InvalidConfigError(
        'no credential key configured: set CREDENTIALS_KEY_PARAMETER or CREDENTIALS_KMS_KEY_ID (AWS), or CREDENTIALS_LOCAL_KEY',
      );
    }
    return this.cipher;
  }
}
