import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestDeps } from '../../../lambdas/_shared/composition.ts';
import { DigestEnv } from '../../../lambdas/_shared/env.ts';

/**
 * The functions read their secrets through Powertools Parameters at cold start. A small stand-in for the
 * Secrets Manager API (the JSON protocol the SDK speaks) answers them here, so the real read path runs.
 */
const SECRETS: Record<string, { SecretString?: string; SecretBinary?: string }> = {
  'arn:aws:secretsmanager:us-east-1:1:secret:link-key': {
    SecretString: 'k'.repeat(44),
  },
  'arn:aws:secretsmanager:us-east-1:1:secret:binary-only': { SecretBinary: 'AAEC' },
};

let server: Server;
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      asked.push(`${target} ${SecretId}`);
      const secret = SECRETS[SecretId];
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (!secret) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'no secret' }));
        return;
      }
      response.end(JSON.stringify({ ARN: SecretId, Name: SecretId, VersionId: 'v1', ...secret }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
  });
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  await new Promise((resolve) => server.close(resolve));
});

function digestEnv(secretArn: string) {
  return DigestEnv.parse({
    TABLE_NAME: 'likewatch-table',
    SENDER_ADDRESS: 'digest@example.com',
    PUBLIC_BASE_URL: 'https://likewatch.example.com',
    LINK_SIGNING_KEY_SECRET_ARN: secretArn,
  });
}

describe('secrets read at cold start', () => {
  it('should read the link-signing key from Secrets Manager and sign links with it', async () => {
    // Act
    const deps = await createDigestDeps(
      digestEnv('arn:aws:secretsmanager:us-east-1:1:secret:link-key'),
    );
    // Assert
    expect(asked).toEqual([
      'secretsmanager.GetSecretValue arn:aws:secretsmanager:us-east-1:1:secret:link-key',
    ]);
    expect(deps.links).toBeDefined();
  });

  it('should refuse to start on a secret without a string value, or one that does not exist', async () => {
    await expect(
      createDigestDeps(digestEnv('arn:aws:secretsmanager:us-east-1:1:secret:binary-only')),
    ).rejects.toThrow(/has no string value/);
    await expect(
      createDigestDeps(digestEnv('arn:aws:secretsmanager:us-east-1:1:secret:missing')),
    ).rejects.toThrow();
  });
});
