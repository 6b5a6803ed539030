/**
 * Composition root shared by the functions: builds adapters from validated configuration. Clients are created
 * once per process (cold start) and reused across invocations.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDocumentClient, createSesClient } from '../../adapters/aws-clients.ts';
import { createDigestLinks } from '../../adapters/digest-links.ts';
import { DynamoDbStore } from '../../adapters/dynamodb-store.ts';
import { SesMailer } from '../../adapters/ses-mailer.ts';
import { TokenSigner } from '../../adapters/signed-tokens.ts';
import { DisplayApiSource } from '../../adapters/tiktok/display-api-source.ts';
import { explainFleet } from '../../core/explain/index.ts';
import type { PollAccountsDeps } from '../../core/poll-accounts.ts';
import type { SendDigestsDeps } from '../../core/send-digests.ts';
import type { DigestEnv, PollEnv } from './env.ts';

/** Ports for the poll function. */
export function createPollDeps(env: PollEnv): PollAccountsDeps {
  const store = new DynamoDbStore(createDocumentClient(), { tableName: env.TABLE_NAME });
  return {
    store,
    source: new DisplayApiSource({
      baseUrl: env.TIKTOK_API_BASE_URL,
      credentials: store,
      timeoutMs: env.TIKTOK_TIMEOUT_MS,
    }),
  };
}

/** Ports for the digest function. */
export async function createDigestDeps(env: DigestEnv): Promise<SendDigestsDeps> {
  const now = () => new Date();
  const signer = new TokenSigner(await linkSigningKey(env));
  return {
    store: new DynamoDbStore(createDocumentClient(), { tableName: env.TABLE_NAME }),
    mailer: new SesMailer(createSesClient(), {
      from: env.SENDER_ADDRESS,
      configurationSet: env.SES_CONFIGURATION_SET,
    }),
    explain: (fleet, asOf) => explainFleet(fleet, { asOf }),
    links: createDigestLinks(env.PUBLIC_BASE_URL, signer, now),
    now,
  };
}

async function linkSigningKey(env: DigestEnv): Promise<string> {
  if (env.LINK_SIGNING_KEY) return env.LINK_SIGNING_KEY;
  const secret = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: env.LINK_SIGNING_KEY_SECRET_ARN }),
  );
  if (!secret.SecretString) throw new Error('the link-signing secret has no string value');
  return secret.SecretString;
}
