/**
 * The Display API source's token handling: the credentials read ahead for a batch of polls, one poll's use of
 * an account's token (refreshed before expiry and once more when TikTok refuses it), and the granted scopes.
 */
import type { z } from 'zod';
import type { SourceCredentials } from '../../core/ports.ts';
import { REQUIRED_DISPLAY_SCOPES } from '../../core/subscriptions/scopes.ts';
import { SourceFailure } from './http.ts';
import type { ApiCall } from './open-api.ts';

/** What a {@link TokenSession} needs from the source: fresh credentials, refreshes and API calls. */
export interface TokenKeeper {
  freshCredentials(
    accountId: string,
    credentials: SourceCredentials,
    at: Date,
    signal?: AbortSignal,
  ): Promise<SourceCredentials>;
  refresh(
    accountId: string,
    stale: SourceCredentials,
    at: Date,
    signal?: AbortSignal,
  ): Promise<SourceCredentials>;
  callApi<S extends z.ZodType>(
    path: string,
    call: ApiCall,
    token: string,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>>;
}

/** Prefetched batches kept at once (see `DisplayApiSource.prefetched`). */
export const PREFETCHED_BATCHES_KEPT = 4;

/**
 * The credentials read ahead for one batch of polls. Each account's copy serves one poll and is then gone;
 * {@link PrefetchedCredentials.invalidate} drops it when the account's credentials change, including while the
 * batch read is still in flight (what that read returns for the account is then already stale).
 */
export class PrefetchedCredentials {
  private readonly entries = new Map<string, SourceCredentials>();
  /** Accounts invalidated before the batch read came back. */
  private readonly invalidated = new Set<string>();
  private filled = false;

  fill(found: ReadonlyMap<string, SourceCredentials>): void {
    for (const [accountId, credentials] of found) {
      if (!this.invalidated.has(accountId)) this.entries.set(accountId, credentials);
    }
    this.invalidated.clear();
    this.filled = true;
  }

  /** The account's copy, handed out once. */
  take(accountId: string): SourceCredentials | undefined {
    const credentials = this.entries.get(accountId);
    this.entries.delete(accountId);
    return credentials;
  }

  invalidate(accountId: string): void {
    this.entries.delete(accountId);
    if (!this.filled) this.invalidated.add(accountId);
  }
}

/**
 * One poll's use of one account's token: refreshed up front when near expiry, and once more (then retried)
 * when TikTok answers `access_token_invalid`.
 */
export class TokenSession {
  private credentials: Promise<SourceCredentials> | undefined;
  /** The refresh made after TikTok refused the token; calls in flight at once share it. */
  private renewal: Promise<SourceCredentials> | undefined;

  constructor(
    private readonly source: TokenKeeper,
    private readonly accountId: string,
    private readonly stored: SourceCredentials,
    private readonly at: Date,
    private readonly signal?: AbortSignal,
  ) {}

  async call<S extends z.ZodType>(path: string, call: ApiCall, schema: S): Promise<z.infer<S>> {
    this.credentials ??= this.source.freshCredentials(
      this.accountId,
      this.stored,
      this.at,
      this.signal,
    );
    const used = await this.credentials;
    try {
      return await this.source.callApi(path, call, used.accessToken, schema, this.signal);
    } catch (error) {
      if (!(error instanceof SourceFailure) || error.code !== 'access_token_invalid') throw error;
      const renewed = await this.renewAfterRefusal(used);
      if (!renewed) throw error;
      return this.source.callApi(path, call, renewed.accessToken, schema, this.signal);
    }
  }

  /** Credentials to retry with after `refused` was refused; undefined once the renewed token was refused too. */
  private async renewAfterRefusal(
    refused: SourceCredentials,
  ): Promise<SourceCredentials | undefined> {
    if (!this.renewal) {
      this.renewal = this.source.refresh(this.accountId, refused, this.at, this.signal);
      this.credentials = this.renewal;
      return this.renewal;
    }
    const renewed = await this.renewal;
    return renewed.accessToken === refused.accessToken ? undefined : renewed;
  }
}

export function hasScope(scope: string, wanted: string): boolean {
  return scope
    .split(/[,\s]+/)
    .map((item) => item.trim())
    .includes(wanted);
}

/** Required scopes missing from a recorded grant (none when the grant's scopes were not recorded). */
export function missingScopes(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return REQUIRED_DISPLAY_SCOPES.filter((wanted) => !hasScope(scope, wanted));
}
