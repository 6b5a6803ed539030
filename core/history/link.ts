/** What a `history` link's token is about: one subscriber looking at one account they follow. */

/** The history token's subject: the subscriber and the account, percent-encoded and joined by `/`. */
export function encodeHistorySubject(subscriberId: string, accountId: string): string {
  return `${encodeURIComponent(subscriberId)}/${encodeURIComponent(accountId)}`;
}

/** The subscriber and account of a verified `history` token's subject, or undefined when it is not one. */
export function decodeHistorySubject(
  subject: string,
): { subscriberId: string; accountId: string } | undefined {
  const parts = subject.split('/');
  if (parts.length !== 2) return undefined;
  try {
    const [subscriberId, accountId] = parts.map(decodeURIComponent) as [string, string];
    if (subscriberId === '' || accountId === '') return undefined;
    return { subscriberId, accountId };
  } catch {
    return undefined;
  }
}
