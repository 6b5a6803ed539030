/**
 * OAuth state of the fake TikTok: the app's client credentials, creators' grants (access tokens with rotating
 * refresh tokens) and the research app's client tokens (docs/sources.md). Lifetimes run on the
 * fake's clock, so a simulated week expires tokens the way a real one would.
 */
import { randomBytes } from 'node:crypto';

/** What `/v2/oauth/token/` answers (flat JSON). */
export interface FakeTokenResponse {
  access_token: string;
  expires_in: number;
  open_id?: string;
  scope?: string;
  refresh_token?: string;
  refresh_expires_in?: number;
  token_type: 'Bearer';
}

/** Lifetimes and scope of a creator grant. */
export interface GrantOptions {
  /** @default 86,400 (24 h) */
  accessTtlSeconds?: number;
  /** @default 31,536,000 (365 days) */
  refreshTtlSeconds?: number;
  /** @default user.info.basic,user.info.profile,user.info.stats,video.list */
  scope?: string;
  /** When the creator consented: lifetimes run from here. @default now on the fake's clock */
  issuedAtMs?: number;
}

const FULL_SCOPE = 'user.info.basic,user.info.profile,user.info.stats,video.list';
/** Client tokens live two hours (docs/sources.md: Research API). */
const CLIENT_TOKEN_TTL_SECONDS = 7_200;
/** Authorization codes are short-lived and single-use. */
const CODE_TTL_MS = 10 * 60_000;

interface TokenRecord {
  accountId: string;
  expiresAt: number;
  scope: string;
}
interface CodeRecord extends TokenRecord {
  redirectUri: string;
}
interface RefreshRecord extends TokenRecord {
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

/** Tokens and their owners. */
export class GrantBook {
  readonly clientKey = 'fake-client-key';
  readonly clientSecret = `fake-secret-${randomBytes(12).toString('hex')}`;
  private readonly access = new Map<string, TokenRecord>();
  private readonly refresh = new Map<string, RefreshRecord>();
  private readonly clientTokens = new Map<string, number>();
  private readonly codes = new Map<string, CodeRecord>();

  constructor(private readonly nowMs: () => number) {}

  /** A new grant for `accountId`, as if the creator had just consented. */
  issue(accountId: string, options: GrantOptions = {}): FakeTokenResponse {
    const accessTtlSeconds = options.accessTtlSeconds ?? 86_400;
    const refreshTtlSeconds = options.refreshTtlSeconds ?? 31_536_000;
    const scope = options.scope ?? FULL_SCOPE;
    const accessToken = token('act');
    const refreshToken = token('rft');
    const now = options.issuedAtMs ?? this.nowMs();
    this.access.set(accessToken, { accountId, expiresAt: now + accessTtlSeconds * 1000, scope });
    this.refresh.set(refreshToken, {
      accountId,
      expiresAt: now + refreshTtlSeconds * 1000,
      scope,
      accessTtlSeconds,
      refreshTtlSeconds,
    });
    return {
      access_token: accessToken,
      expires_in: accessTtlSeconds,
      open_id: accountId,
      scope,
      refresh_token: refreshToken,
      refresh_expires_in: refreshTtlSeconds,
      token_type: 'Bearer',
    };
  }

  /** An authorization code for `accountId`, as the authorize page hands it to `redirectUri` (docs/sources.md: Display API). */
  issueCode(accountId: string, redirectUri: string, scope: string): string {
    const code = token('code');
    this.codes.set(code, { accountId, redirectUri, scope, expiresAt: this.nowMs() + CODE_TTL_MS });
    return code;
  }

  /** Redeems a code once, with the same redirect URI it was issued for; undefined otherwise. */
  redeemCode(code: string, redirectUri: string): FakeTokenResponse | undefined {
    const record = this.codes.get(code);
    this.codes.delete(code);
    if (!record || record.expiresAt <= this.nowMs() || record.redirectUri !== redirectUri) {
      return undefined;
    }
    return this.issue(record.accountId, { scope: record.scope });
  }

  /** An access token that never expires and cannot be refreshed. */
  issueAccessOnly(accountId: string): string {
    const accessToken = token('act');
    this.access.set(accessToken, {
      accountId,
      expiresAt: Number.POSITIVE_INFINITY,
      scope: FULL_SCOPE,
    });
    return accessToken;
  }

  /** The account an access token reads, or why it does not. */
  resolveAccess(
    accessToken: string,
  ): { accountId: string; scopes: string[] } | 'invalid' | 'expired' {
    const record = this.access.get(accessToken);
    if (!record) return 'invalid';
    if (record.expiresAt <= this.nowMs()) return 'expired';
    return { accountId: record.accountId, scopes: record.scope.split(',') };
  }

  /** The account a refresh token belongs to, when it is still valid. */
  refreshOwner(refreshToken: string): string | undefined {
    const record = this.refresh.get(refreshToken);
    return record && record.expiresAt > this.nowMs() ? record.accountId : undefined;
  }

  /** Rotates: the refresh token sent stops working and a new pair is issued (docs/sources.md: Display API). */
  rotate(refreshToken: string): FakeTokenResponse | undefined {
    const record = this.refresh.get(refreshToken);
    if (!record || record.expiresAt <= this.nowMs()) return undefined;
    this.refresh.delete(refreshToken);
    return this.issue(record.accountId, record);
  }

  /** Ends an access token now. */
  expire(accessToken: string): void {
    const record = this.access.get(accessToken);
    if (record) record.expiresAt = this.nowMs();
  }

  /** The creator revoked the app: every token of the account dies. */
  revoke(accountId: string): void {
    for (const map of [this.access, this.refresh]) {
      for (const [key, record] of map) if (record.accountId === accountId) map.delete(key);
    }
  }

  /** A client-credentials token for the research app. */
  issueClientToken(): FakeTokenResponse {
    const accessToken = token('clt');
    this.clientTokens.set(accessToken, this.nowMs() + CLIENT_TOKEN_TTL_SECONDS * 1000);
    return {
      access_token: accessToken,
      expires_in: CLIENT_TOKEN_TTL_SECONDS,
      token_type: 'Bearer',
    };
  }

  isValidClientToken(accessToken: string): boolean {
    const expiresAt = this.clientTokens.get(accessToken);
    return expiresAt !== undefined && expiresAt > this.nowMs();
  }
}

function token(prefix: string): string {
  return `${prefix}.${randomBytes(18).toString('base64url')}`;
}
