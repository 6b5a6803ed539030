/**
 * Composition root shared by the functions: builds adapters from validated configuration. Clients are created
 * once per process (cold start) and reused across invocations.
 */
import { createDocumentClient, createSesClient } from '../../adapters/aws-clients.ts';
import { createCredentialCipher } from '../../adapters/credential-cipher.ts';
import { createDigestLinks, decodeFeedbackSubject } from '../../adapters/digest-links.ts';
import { DynamoDbStore } from '../../adapters/dynamodb-store.ts';
import { randomId } from '../../adapters/random-ids.ts';
import { secureParameters } from '../../adapters/secure-parameters.ts';
import { SesMailer } from '../../adapters/ses-mailer.ts';
import { TokenSigner } from '../../adapters/signed-tokens.ts';
import { SqsQueue } from '../../adapters/sqs-queue.ts';
import { ThrottledMailer } from '../../adapters/throttled-mailer.ts';
import { TikTokLoginKit } from '../../adapters/tiktok/login-kit.ts';
import type { ClientCredentials } from '../../adapters/tiktok/open-api.ts';
import { DynamoDbQuotaLedger } from '../../adapters/tiktok/research-quota.ts';
import { SourceRouter } from '../../adapters/tiktok/source-router.ts';
import { createStatsSources } from '../../adapters/tiktok/stats-sources.ts';
import { InvalidConfigError } from '../../core/errors.ts';
import { beginNight } from '../../core/explain/index.ts';
import type { DigestJob, DigestPartJob, PollJob } from '../../core/model.ts';
import type { PlanPollJobsDeps, PollAccountJobsDeps } from '../../core/poll-accounts.ts';
import type { PlanDigestJobsDeps, SendDigestJobsDeps } from '../../core/send-digests.ts';
import { siteUrl } from '../../core/site-url.ts';
import type { SubscriptionDeps } from '../../core/subscriptions/deps.ts';
import type { TikTokAuthorization } from '../../core/subscriptions/ports.ts';
import type {
  DigestEnv,
  DigestTickEnv,
  HttpApiEnv,
  PollTickEnv,
  PollWorkerEnv,
  SesEventsEnv,
} from './env.ts';
import { sourceSettingsOf } from './env.ts';
import { logger } from './middleware.ts';

/** Ports for the poll tick: the store (to list accounts) and the poll queue. */
export function createPollTickDeps(env: PollTickEnv): PlanPollJobsDeps {
  return {
    store: new DynamoDbStore(createDocumentClient(), { tableName: env.TABLE_NAME }),
    queue: new SqsQueue<PollJob>({ queueUrl: env.POLL_QUEUE_URL }),
  };
}

/** Ports for the digest tick: the store (also where explained nights go), the engine and the digest queue. */
export function createDigestTickDeps(env: DigestTickEnv): PlanDigestJobsDeps {
  const store = new DynamoDbStore(createDocumentClient(), { tableName: env.TABLE_NAME });
  return {
    store,
    nights: store,
    explain: beginNight,
    queue: new SqsQueue<DigestJob>({ queueUrl: env.DIGEST_QUEUE_URL }),
    split: {
      accountsPerInvocation: env.DIGEST_ACCOUNTS_PER_INVOCATION,
      queue: new SqsQueue<DigestPartJob>({ queueUrl: env.DIGEST_PART_QUEUE_URL }),
    },
  };
}

/** Ports for the poll worker: the store, and a router over every enabled stats source. */
export async function createPollWorkerDeps(env: PollWorkerEnv): Promise<PollAccountJobsDeps> {
  const documentClient = createDocumentClient();
  const store = new DynamoDbStore(documentClient, {
    tableName: env.TABLE_NAME,
    credentialCipher: createCredentialCipher(env),
    pollCadenceHours: env.POLL_EVERY_HOURS,
  });
  const client = await tiktokClient(env);
  const sources = createStatsSources({
    ...sourceSettingsOf(env),
    ...(client ? { client } : {}),
    credentials: store,
    ledger: new DynamoDbQuotaLedger(documentClient, env.TABLE_NAME),
    log: logger,
  });
  return { store, source: new SourceRouter(sources) };
}

/** The TikTok app's client key and secret, the secret read from Parameter Store at cold start in AWS. */
async function tiktokClient(
  env: Pick<
    PollWorkerEnv,
    'TIKTOK_CLIENT_KEY' | 'TIKTOK_CLIENT_SECRET' | 'TIKTOK_CLIENT_SECRET_PARAMETER'
  >,
): Promise<ClientCredentials | undefined> {
  if (!env.TIKTOK_CLIENT_KEY) return undefined;
  if (env.TIKTOK_CLIENT_SECRET) {
    return { key: env.TIKTOK_CLIENT_KEY, secret: env.TIKTOK_CLIENT_SECRET };
  }
  if (!env.TIKTOK_CLIENT_SECRET_PARAMETER) return undefined;
  return {
    key: env.TIKTOK_CLIENT_KEY,
    secret: await secureParameters().read(
      env.TIKTOK_CLIENT_SECRET_PARAMETER,
      'the TikTok client secret',
    ),
  };
}

/** Ports for the digest worker: the store and its explained nights, the paced mailer, the link signer. */
export async function createDigestDeps(env: DigestEnv): Promise<SendDigestJobsDeps> {
  const now = () => new Date();
  const signer = new TokenSigner(await linkSigningKey(env));
  const store = new DynamoDbStore(createDocumentClient(), { tableName: env.TABLE_NAME });
  return {
    store,
    nights: store,
    mailer: new ThrottledMailer(
      // The throttled mailer is the one layer that retries a send, paced to the send rate.
      new SesMailer(createSesClient({ maxAttempts: 1 }), {
        from: env.SENDER_ADDRESS,
        configurationSet: env.SES_CONFIGURATION_SET,
      }),
      { maxPerSecond: env.SES_MAX_SEND_RATE },
    ),
    links: createDigestLinks(env.PUBLIC_BASE_URL, signer, now),
    // Bounced and complaining addresses (recorded by the SES events function) are never mailed.
    suppressions: store,
    now,
  };
}

/** The pages' ports that the store implements: all of their data lives in the one table. */
export function pagesStorePorts(
  store: DynamoDbStore,
): Pick<
  SubscriptionDeps,
  | 'subscribers'
  | 'signUps'
  | 'accounts'
  | 'credentials'
  | 'feedback'
  | 'history'
  | 'suppressions'
  | 'limiter'
  | 'singleUse'
> {
  return {
    subscribers: store,
    signUps: store,
    accounts: store,
    credentials: store,
    feedback: store,
    history: store,
    suppressions: store,
    limiter: store,
    singleUse: store,
  };
}

/** Ports for the subscription pages: the store, signer, mailer and TikTok's Login Kit. */
export async function createHttpApiDeps(env: HttpApiEnv): Promise<SubscriptionDeps> {
  const now = () => new Date();
  const signer = new TokenSigner(await linkSigningKey(env));
  const store = new DynamoDbStore(createDocumentClient(), {
    tableName: env.TABLE_NAME,
    credentialCipher: createCredentialCipher(env),
  });
  const client = await tiktokClient(env);
  return {
    ...pagesStorePorts(store),
    tokens: signer,
    mailer: new SesMailer(createSesClient(), {
      from: env.SENDER_ADDRESS,
      configurationSet: env.SES_CONFIGURATION_SET,
    }),
    tiktok: client
      ? new TikTokLoginKit({
          authorizeUrl: new URL('/v2/auth/authorize/', env.TIKTOK_WEB_BASE_URL).toString(),
          apiBaseUrl: env.TIKTOK_API_BASE_URL,
          client,
          redirectUri: siteUrl(env.PUBLIC_BASE_URL, '/connect/callback').toString(),
          timeoutMs: env.TIKTOK_TIMEOUT_MS,
        })
      : tiktokNotConfigured,
    links: createDigestLinks(env.PUBLIC_BASE_URL, signer, now),
    decodeFeedbackSubject,
    baseUrl: env.PUBLIC_BASE_URL,
    limits: {
      signUpsPerIpPerHour: env.SIGN_UPS_PER_IP_PER_HOUR,
      emailsPerAddressPerDay: env.EMAILS_PER_ADDRESS_PER_DAY,
      connectsPerIpPerHour: env.CONNECTS_PER_IP_PER_HOUR,
    },
    now,
    newId: randomId,
  };
}

/** Without the app's client key, connecting accounts cannot work; the rest of the pages can. */
const tiktokNotConfigured: TikTokAuthorization = {
  authorizeUrl: () => {
    throw new InvalidConfigError('connecting TikTok accounts needs TIKTOK_CLIENT_KEY');
  },
  exchange: async () => {
    throw new InvalidConfigError('connecting TikTok accounts needs TIKTOK_CLIENT_KEY');
  },
};

/** Ports for the SES events function: the store holds the suppression list and the subscribers. */
export function createSesEventsDeps(
  env: SesEventsEnv,
): Pick<SubscriptionDeps, 'suppressions' | 'subscribers'> {
  const store = new DynamoDbStore(createDocumentClient(), { tableName: env.TABLE_NAME });
  return { suppressions: store, subscribers: store };
}

async function linkSigningKey(
  env: Pick<DigestEnv, 'LINK_SIGNING_KEY' | 'LINK_SIGNING_KEY_PARAMETER'>,
): Promise<string> {
  if (env.LINK_SIGNING_KEY) return env.LINK_SIGNING_KEY;
  if (!env.LINK_SIGNING_KEY_PARAMETER) {
    throw new InvalidConfigError('set LINK_SIGNING_KEY or LINK_SIGNING_KEY_PARAMETER');
  }
  return secureParameters().generated(env.LINK_SIGNING_KEY_PARAMETER, 'the link-signing key');
}
