/**
 * Composition root shared by the functions: builds adapters from validated configuration. Clients are created
 * once per process (cold start) and reused across invocations.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDocumentClient, createSesClient } from '../../adapters/aws-clients.ts';
import { createCredentialCipher } from '../../adapters/credential-cipher.ts';
import { createDigestLinks } from '../../adapters/digest-links.ts';
import { DynamoDbStore } from '../../adapters/dynamodb-store.ts';
import { SesMailer } from '../../adapters/ses-mailer.ts';
import { TokenSigner } from '../../adapters/signed-tokens.ts';
import { ThrottledMailer } from '../../adapters/throttled-mailer.ts';
import { DisplayApiSource } from '../../adapters/tiktok/display-api-source.ts';
import type { ClientCredentials } from '../../adapters/tiktok/open-api.ts';
import { SlidingWindowLimiter } from '../../adapters/tiktok/rate-limiter.ts';
import { ResearchApiSource } from '../../adapters/tiktok/research-api-source.ts';
import { DynamoDbQuotaLedger } from '../../adapters/tiktok/research-quota.ts';
import { SourceRouter } from '../../adapters/tiktok/source-router.ts';
import { WebPageSource } from '../../adapters/tiktok/web-page-source.ts';
import { InvalidConfigError } from '../../core/errors.ts';
import { explainFleet } from '../../core/explain/index.ts';
import type { SourceKind } from '../../core/model.ts';
import type { PollAccountsDeps } from '../../core/poll-accounts.ts';
import type { StatsSource } from '../../core/ports.ts';
import type { SendDigestsDeps } from '../../core/send-digests.ts';
import type { DigestEnv, PollEnv } from './env.ts';
import { logger } from './middleware.ts';

/** Ports for the poll function: the store, and a router over every enabled stats source. */
export async function createPollDeps(env: PollEnv): Promise<PollAccountsDeps> {
  const documentClient = createDocumentClient();
  const store = new DynamoDbStore(documentClient, {
    tableName: env.TABLE_NAME,
    credentialCipher: createCredentialCipher(env),
  });
  const client = await tiktokClient(env);
  // One limiter for the process: concurrent polls share each endpoint's per-minute budget.
  const limiter = new SlidingWindowLimiter({ limit: env.TIKTOK_RATE_LIMIT_PER_MINUTE });
  const shared = { timeoutMs: env.TIKTOK_TIMEOUT_MS, limiter, log: logger };
  const sources: Partial<Record<SourceKind, StatsSource>> = {};
  for (const kind of env.ENABLED_SOURCES) {
    if (kind === 'display_api') {
      sources.display_api = new DisplayApiSource({
        ...shared,
        baseUrl: env.TIKTOK_API_BASE_URL,
        credentials: store,
        ...(client ? { client } : {}),
      });
    } else if (kind === 'research_api') {
      if (!client)
        throw new InvalidConfigError(
          'the research_api source needs the TikTok client key and secret',
        );
      sources.research_api = new ResearchApiSource({
        ...shared,
        baseUrl: env.TIKTOK_API_BASE_URL,
        client,
        ledger: new DynamoDbQuotaLedger(documentClient, env.TABLE_NAME),
        dailyQuota: {
          requests: env.TIKTOK_RESEARCH_DAILY_REQUESTS,
          records: env.TIKTOK_RESEARCH_DAILY_RECORDS,
        },
        pollEveryHours: env.POLL_EVERY_HOURS,
        lookbackDays: env.TIKTOK_RESEARCH_LOOKBACK_DAYS,
      });
    } else {
      logger.warn('the unofficial web page source is enabled', { source: 'web' });
      sources.web = new WebPageSource({ ...shared, baseUrl: env.TIKTOK_WEB_BASE_URL });
    }
  }
  return { store, source: new SourceRouter(sources) };
}

/** The TikTok app's client key and secret, the secret read from Secrets Manager at cold start in AWS. */
async function tiktokClient(env: PollEnv): Promise<ClientCredentials | undefined> {
  if (!env.TIKTOK_CLIENT_KEY) return undefined;
  if (env.TIKTOK_CLIENT_SECRET) {
    return { key: env.TIKTOK_CLIENT_KEY, secret: env.TIKTOK_CLIENT_SECRET };
  }
  if (!env.TIKTOK_CLIENT_SECRET_ARN) return undefined;
  return {
    key: env.TIKTOK_CLIENT_KEY,
    secret: await secretString(env.TIKTOK_CLIENT_SECRET_ARN, 'the TikTok client secret'),
  };
}

/** Ports for the digest function. */
export async function createDigestDeps(env: DigestEnv): Promise<SendDigestsDeps> {
  const now = () => new Date();
  const signer = new TokenSigner(await linkSigningKey(env));
  return {
    store: new DynamoDbStore(createDocumentClient(), { tableName: env.TABLE_NAME }),
    mailer: new ThrottledMailer(
      new SesMailer(createSesClient(), {
        from: env.SENDER_ADDRESS,
        configurationSet: env.SES_CONFIGURATION_SET,
      }),
      { maxPerSecond: env.SES_MAX_SEND_RATE },
    ),
    explain: (fleet, asOf) => explainFleet(fleet, { asOf }),
    links: createDigestLinks(env.PUBLIC_BASE_URL, signer, now),
    now,
  };
}

async function linkSigningKey(env: DigestEnv): Promise<string> {
  if (env.LINK_SIGNING_KEY) return env.LINK_SIGNING_KEY;
  return secretString(env.LINK_SIGNING_KEY_SECRET_ARN, 'the link-signing secret');
}

/** The string value of a Secrets Manager secret (read once, at cold start). */
async function secretString(secretId: string | undefined, what = 'the secret'): Promise<string> {
  const secret = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: secretId }),
  );
  if (!secret.SecretString) throw new Error(`${what} has no string value`);
  return secret.SecretString;
}
