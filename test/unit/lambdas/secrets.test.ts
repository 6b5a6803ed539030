import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSigner } from '../../../adapters/signed-tokens.ts';
import { createDigestDeps } from '../../../lambdas/_shared/composition.ts';
import { DigestEnv } from '../../../lambdas/_shared/env.ts';
import {
  type ParameterStoreServer,
  startParameterStore,
} from '../../fakes/parameter-store-server.ts';

/**
 * The functions read their secrets from Parameter Store through Powertools Parameters at cold start. A local
 * stand-in for the Parameter Store API (the JSON protocol the SDK speaks) answers them, so the real read path
 * runs.
 */
let store: ParameterStoreServer;

beforeAll(async () => {
  store = await startParameterStore();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SSM: store.endpoint,
  });
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SSM;
  await store.close();
});

function digestEnv(parameter: string) {
  return DigestEnv.parse({
    TABLE_NAME: 'likewatch-table',
    SENDER_ADDRESS: 'digest@example.com',
    PUBLIC_BASE_URL: 'https://likewatch.example.com',
    LINK_SIGNING_KEY_PARAMETER: parameter,
  });
}

describe('secrets read at cold start', () => {
  it('should make the link-signing key once at cold start and sign every digest’s links with it', async () => {
    // Act
    const first = await createDigestDeps(digestEnv('/likewatch/test/link-signing-key'));
    const second = await createDigestDeps(digestEnv('/likewatch/test/link-signing-key'));

    // Assert: one SecureString made (a second set of deps reuses it), and links of both verify against it.
    expect(store.parameters.get('/likewatch/test/link-signing-key')).toMatchObject({
      type: 'SecureString',
      version: 1,
    });
    expect(store.requests.get('PutParameter')).toBe(1);
    const stored = new TokenSigner(
      store.parameters.get('/likewatch/test/link-signing-key')?.value ?? '',
    );
    for (const deps of [first, second]) {
      const token = new URL(deps.links.unsubscribe('sub-1')).searchParams.get('token') ?? '';
      expect(stored.verify(token, 'unsubscribe', new Date())).toEqual({
        ok: true,
        subject: 'sub-1',
      });
    }
  });

  it('should refuse a parameter name that is not a path', () => {
    expect(() => digestEnv('arn:aws:secretsmanager:us-east-1:1:secret:link-key')).toThrow(
      /parameter name/,
    );
  });
});
