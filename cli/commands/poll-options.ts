/** The options of `likewatch poll`, validated: which rules apply depends on the source. */
import { z } from 'zod';
import type { ClientCredentials } from '../../adapters/tiktok/open-api.ts';
import { type PollFailureReason, SourceKind } from '../../core/model.ts';

/** Failed polls that mean TikTok (or the address given) could not be reached at all. */
export const TIKTOK_UNREACHABLE: ReadonlySet<PollFailureReason> = new Set([
  'network_error',
  'timeout',
]);

/** A validated `likewatch poll` request. */
export interface PollRequest {
  /** The open_id (display_api) or the username without `@` (research_api, web). */
  account: string;
  source: SourceKind;
  baseUrl?: string;
  accessToken?: string;
  client?: ClientCredentials;
  json: boolean;
}

/** The flags and the account argument, as `readArgs` returns them (camelCased). */
export const PollOptions = z
  .object({
    account: z.string().regex(/^\S+$/, 'no spaces in HANDLE_OR_ID'),
    source: SourceKind.optional(),
    baseUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
    accessToken: z.string().min(1).optional(),
    clientKey: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    json: z.boolean().optional(),
  })
  .superRefine((options, context) => {
    const problem = (path: string, message: string) =>
      context.addIssue({ code: 'custom', path: [path], message });
    if (options.source === undefined) {
      problem('source', 'give display_api, research_api or web');
      return;
    }
    if ((options.clientKey === undefined) !== (options.clientSecret === undefined)) {
      problem('clientKey', 'give --client-key and --client-secret together');
    }
    if (options.source === 'display_api') {
      if (options.accessToken === undefined) {
        problem('accessToken', 'display_api reads the account of an access token: give it');
      }
      if (options.account.startsWith('@')) {
        problem('source', 'display_api polls the account its token belongs to: give its open_id');
      }
    } else if (options.accessToken !== undefined) {
      problem('accessToken', 'only display_api uses an access token');
    }
    if (options.source === 'research_api' && options.clientKey === undefined) {
      problem(
        'clientKey',
        'research_api needs the research app’s --client-key and --client-secret',
      );
    }
  })
  .transform(
    (options): PollRequest => ({
      account:
        options.source === 'display_api' ? options.account : options.account.replace(/^@/, ''),
      source: options.source as SourceKind,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.accessToken ? { accessToken: options.accessToken } : {}),
      ...(options.clientKey && options.clientSecret
        ? { client: { key: options.clientKey, secret: options.clientSecret } }
        : {}),
      json: options.json === true,
    }),
  );
