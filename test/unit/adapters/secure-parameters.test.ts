import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvelopeCipher } from '../../../adapters/credential-cipher.ts';
import { ParameterDataKeys } from '../../../adapters/parameter-data-keys.ts';
import { GENERATED_KEY_BYTES, SecureParameters } from '../../../adapters/secure-parameters.ts';
import { InvalidConfigError } from '../../../core/errors.ts';
import {
  type ParameterStoreServer,
  startParameterStore,
} from '../../fakes/parameter-store-server.ts';

let store: ParameterStoreServer;

function parameters(): SecureParameters {
  return new SecureParameters(
    new SSMClient({
      endpoint: store.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    }),
  );
}

beforeEach(async () => {
  store = await startParameterStore();
});
afterEach(async () => {
  await store.close();
});

describe('SecureParameters', () => {
  it('reads a parameter the operator put, decrypted', async () => {
    store.parameters.set('/likewatch/test/tiktok-client-secret', {
      value: 'from-the-portal',
      type: 'SecureString',
      version: 1,
    });
    await expect(
      parameters().read('/likewatch/test/tiktok-client-secret', 'the TikTok client secret'),
    ).resolves.toBe('from-the-portal');
  });

  it('names the command to run when an operator parameter is missing', async () => {
    const reading = parameters().read('/likewatch/test/tiktok-client-secret', 'the secret');
    await expect(reading).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(reading).rejects.toThrow(
      /aws ssm put-parameter --type SecureString --name \/likewatch\/test\/tiktok-client-secret/,
    );
  });

  it('creates a generated key once, as a SecureString of 256 random bits, and reads it back', async () => {
    const first = await parameters().generated('/likewatch/test/link-signing-key', 'the key');
    expect(Buffer.from(first, 'base64')).toHaveLength(GENERATED_KEY_BYTES);
    expect(store.parameters.get('/likewatch/test/link-signing-key')).toMatchObject({
      value: first,
      type: 'SecureString',
      version: 1,
    });
    // Another process (a fresh cache) gets the same key and does not write.
    await expect(
      parameters().generated('/likewatch/test/link-signing-key', 'the key'),
    ).resolves.toBe(first);
    expect(store.requests.get('PutParameter')).toBe(1);
  });

  it('keeps the key that won when two cold starts create it at once', async () => {
    const [a, b] = await Promise.all([
      parameters().generated('/likewatch/test/credentials-key', 'the key'),
      parameters().generated('/likewatch/test/credentials-key', 'the key'),
    ]);
    expect(a).toBe(b);
    expect(store.parameters.get('/likewatch/test/credentials-key')?.version).toBe(1);
  });

  it('seals credentials under a master key made on first use, which another process opens', async () => {
    const name = '/likewatch/test/credentials-key';
    const sealed = await new EnvelopeCipher(new ParameterDataKeys(parameters(), name)).seal(
      Buffer.from('{"accessToken":"act.1"}'),
      { accountId: 'acc-1' },
    );
    expect(sealed.scheme).toBe('parameter/shared-key');
    expect(store.parameters.get(name)?.type).toBe('SecureString');
    const opener = new EnvelopeCipher(new ParameterDataKeys(parameters(), name));
    const opened = await opener.open(sealed, { accountId: 'acc-1' });
    expect(Buffer.from(opened).toString()).toBe('{"accessToken":"act.1"}');
    // The account id is bound: the same secret does not open as another account's.
    await expect(opener.open(sealed, { accountId: 'acc-2' })).rejects.toThrow();
  });
});
