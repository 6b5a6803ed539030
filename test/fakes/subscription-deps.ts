/** In-memory ports for the subscription use cases and pages (the DynamoDB ones have their own tests). */
import { createDigestLinks, decodeFeedbackSubject } from '../../adapters/digest-links.ts';
import { TokenSigner } from '../../adapters/signed-tokens.ts';
import type { Account, Feedback, PendingSignUp, Subscriber } from '../../core/model.ts';
import type { OutgoingEmail, SourceCredentials } from '../../core/ports.ts';
import { DEFAULT_ABUSE_LIMITS, type SubscriptionDeps } from '../../core/subscriptions/deps.ts';
import type { AuthorizedAccount } from '../../core/subscriptions/ports.ts';
import { MemoryNights, MemoryStore } from './memory-store.ts';

export const SIGNING_KEY = 'k'.repeat(40);
export const BASE_URL = 'https://likewatch.example.com/';

/** Every port in memory, with what they recorded. */
export function memorySubscriptionDeps(
  options: { now?: () => Date; accounts?: Account[]; baseUrl?: string } = {},
) {
  const baseUrl = options.baseUrl ?? BASE_URL;
  const now = options.now ?? (() => new Date('2026-11-24T10:00:00Z'));
  const signer = new TokenSigner(SIGNING_KEY);
  const subscribers = new Map<string, Subscriber>();
  const signUps = new Map<string, PendingSignUp>();
  /** Lower-cased address → subscriber id, as the store's address index. */
  const addresses = new Map<string, string>();
  const accounts = new Map((options.accounts ?? []).map((account) => [account.id, account]));
  const credentials = new Map<string, SourceCredentials>();
  const feedback: Feedback[] = [];
  const suppressed = new Map<string, string>();
  const counters = new Map<string, number>();
  const used = new Set<string>();
  const sent: OutgoingEmail[] = [];
  let nextId = 0;
  const state = {
    subscribers,
    signUps,
    accounts,
    credentials,
    feedback,
    suppressed,
    sent,
    /** The polls, digest reports and nights the history page reads. */
    store: new MemoryStore(),
    nights: new MemoryNights(),
    /** What the fake TikTok exchange answers (or throws). */
    authorized: undefined as AuthorizedAccount | Error | undefined,
  };
  const deps: SubscriptionDeps = {
    subscribers: {
      getSubscriber: async (id) => subscribers.get(id),
      findSubscriberId: async (email) =>
        addresses.get(email.trim().toLowerCase()) ??
        [...subscribers.values()].find(
          (subscriber) => subscriber.email.toLowerCase() === email.trim().toLowerCase(),
        )?.id,
      claimSubscriberId: async (email, id) => {
        const key = email.trim().toLowerCase();
        const claimed =
          addresses.get(key) ??
          [...subscribers.values()].find((subscriber) => subscriber.email.toLowerCase() === key)
            ?.id ??
          id;
        addresses.set(key, claimed);
        return claimed;
      },
      putSubscriber: async (subscriber) => {
        subscribers.set(subscriber.id, subscriber);
        addresses.set(subscriber.email.trim().toLowerCase(), subscriber.id);
      },
      listAccounts: async () => [...accounts.values()],
    },
    signUps: {
      putSignUp: async (request) => {
        signUps.set(request.nonce, request);
      },
      getSignUp: async (nonce) => signUps.get(nonce),
      markSignUpConfirmed: async (nonce, at) => {
        const request = signUps.get(nonce);
        if (request) signUps.set(nonce, { ...request, confirmedAt: at.toISOString() });
      },
    },
    accounts: {
      listAccounts: async () => [...accounts.values()],
      putAccount: async (account) => {
        accounts.set(account.id, account);
      },
      setAccountStatus: async (id, status) => {
        const account = accounts.get(id);
        if (account) accounts.set(id, { ...account, status });
      },
      recordHandle: async (id, handle) => {
        const account = accounts.get(id);
        if (account) accounts.set(id, { ...account, handle });
      },
    },
    credentials: {
      putCredentials: async (id, value) => {
        credentials.set(id, value);
      },
    },
    feedback: {
      putFeedback: async (answer) => {
        feedback.push(answer);
      },
    },
    suppressions: {
      isSuppressed: async (email) => suppressed.has(email.toLowerCase()),
      listSuppressed: async (emails) =>
        new Set(emails.filter((email) => suppressed.has(email.toLowerCase()))),
      suppress: async (email, reason) => {
        suppressed.set(email.toLowerCase(), reason);
      },
    },
    limiter: {
      take: async (scope, subject, limit, windowSeconds, at) => {
        const key = `${scope}/${subject}/${Math.floor(at.getTime() / 1000 / windowSeconds)}`;
        const hits = counters.get(key) ?? 0;
        if (hits >= limit) return false;
        counters.set(key, hits + 1);
        return true;
      },
    },
    singleUse: {
      use: async (id) => {
        if (used.has(id)) return false;
        used.add(id);
        return true;
      },
    },
    history: {
      listPolls: (...args) => state.store.listPolls(...args),
      getDigestReports: (digests) => state.store.getDigestReports(digests),
      getNightAccounts: (asOf, ids) => state.nights.getNightAccounts(asOf, ids),
    },
    tokens: signer,
    mailer: {
      send: async (email) => {
        sent.push(email);
        return `message-${sent.length}`;
      },
    },
    tiktok: {
      authorizeUrl: (stateToken) =>
        `https://www.tiktok.com/v2/auth/authorize/?state=${encodeURIComponent(stateToken)}`,
      exchange: async () => {
        if (state.authorized instanceof Error) throw state.authorized;
        if (!state.authorized) throw new Error('no authorization set up');
        return state.authorized;
      },
    },
    links: createDigestLinks(baseUrl, signer, now),
    decodeFeedbackSubject,
    baseUrl,
    limits: DEFAULT_ABUSE_LIMITS,
    now,
    newId: () => `id-${++nextId}`,
  };
  return { deps, state, signer };
}

/** A watched account. */
export function account(id: string, handle: string): Account {
  return {
    platform: 'tiktok',
    id,
    handle,
    source: 'display_api',
    status: 'active',
    addedAt: '2026-11-01T00:00:00Z',
  };
}
