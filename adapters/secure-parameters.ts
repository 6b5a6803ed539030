/**
 * The deployed stack's secrets as SecureString parameters of Systems Manager Parameter Store (standard tier:
 * no monthly fee, where a Secrets Manager secret costs $0.40 a month). CloudFormation cannot create a
 * SecureString, so a key the stack needs but nobody has to type (the link-signing key, the credentials
 * master key) is made by the first function that needs it; a secret somebody issues (the TikTok client
 * secret) is put there by the operator (docs/deploy.md).
 */
import { randomBytes } from 'node:crypto';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import { InvalidConfigError, StoreError } from '../core/errors.ts';

/** Random bytes of a generated key: 256 bits, what AES-256 and HMAC-SHA-256 take. */
export const GENERATED_KEY_BYTES = 32;

/** How long a value read stays cached in the process: secrets change only when an operator rotates them. */
const CACHE_SECONDS = 3600;

let processParameters: SecureParameters | undefined;

/**
 * The process's one reader of parameters: a function that reads several (the pages read the link-signing key,
 * the credentials key and the TikTok secret) does so through one client and one cache.
 */
export function secureParameters(): SecureParameters {
  processParameters ??= new SecureParameters();
  return processParameters;
}

/** Reads (and, for generated keys, creates) SecureString parameters, decrypted, cached per process. */
export class SecureParameters {
  private readonly provider: SSMProvider;

  constructor(client: SSMClient = new SSMClient({})) {
    this.provider = new SSMProvider({ awsSdkV3Client: client });
  }

  /** The value of a parameter the operator puts; a clear error naming the command when it is not there. */
  async read(name: string, what: string): Promise<string> {
    const value = await this.get(name);
    if (value === undefined) {
      throw new InvalidConfigError(
        `${what} is not set: put it with \`aws ssm put-parameter --type SecureString --name ${name} --value …\` (docs/deploy.md)`,
      );
    }
    return value;
  }

  /**
   * The value of a generated key: read it, or make it (base64 of {@link GENERATED_KEY_BYTES} random bytes)
   * when the parameter does not exist yet. Creating never overwrites, so when two cold starts race, one key
   * wins and the other process reads it back.
   */
  async generated(name: string, what: string): Promise<string> {
    const existing = await this.get(name);
    if (existing !== undefined) return existing;
    try {
      await this.provider.set(name, {
        value: randomBytes(GENERATED_KEY_BYTES).toString('base64'),
        parameterType: 'SecureString',
        description: `likewatch: ${what}, generated on first use. Replacing it invalidates what it signed or sealed.`,
        overwrite: false,
      });
    } catch (error) {
      if (errorName(error) !== 'ParameterAlreadyExists') {
        throw new StoreError(`could not create ${what} (${name})`, { cause: error });
      }
    }
    const created = await this.get(name);
    if (created === undefined)
      throw new StoreError(`${what} (${name}) vanished after it was created`);
    return created;
  }

  /** The decrypted value, or undefined when the parameter does not exist. */
  private async get(name: string): Promise<string | undefined> {
    try {
      const value = await this.provider.get(name, { decrypt: true, maxAge: CACHE_SECONDS });
      if (typeof value !== 'string' || value === '') {
        throw new InvalidConfigError(`parameter ${name} has no string value`);
      }
      return value;
    } catch (error) {
      if (errorName(error) === 'ParameterNotFound') return undefined;
      if (error instanceof InvalidConfigError) throw error;
      throw new StoreError(`could not read parameter ${name}`, { cause: error });
    }
  }
}

/** The AWS error name, looking through Powertools' wrapping errors. */
function errorName(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth += 1) {
    if (current.name === 'ParameterNotFound' || current.name === 'ParameterAlreadyExists') {
      return current.name;
    }
    current = current.cause;
  }
  return undefined;
}
