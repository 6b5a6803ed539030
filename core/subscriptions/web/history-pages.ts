/**
 * `GET /history?token=…[&days=7|30|90][&format=csv]`: one subscriber's history page of one account they follow,
 * from the "View history" link on every account card of the digest. The token is signed for this subscriber
 * and this account and expires like the digest's other links; the page answers with an ETag, so a reload of an
 * unchanged page costs no body.
 */
import { createHash } from 'node:crypto';
import { inLocalTime } from '../../digest/local-times.ts';
import { displayHandle } from '../../digest/wording.ts';
import { decodeHistorySubject } from '../../history/link.ts';
import { historyPage } from '../../history/page.ts';
import {
  buildAccountHistory,
  DEFAULT_HISTORY_PERIOD,
  HISTORY_PERIODS,
  type HistoryPeriod,
  historyCsv,
} from '../../history/series.ts';
import type { DigestReport } from '../../model.ts';
import { siteUrl } from '../../site-url.ts';
import { RAW_HISTORY_DAYS } from '../../thinned-history.ts';
import { addDays, DAY_MS, localDateAndHour } from '../../time.ts';
import type { SubscriptionDeps } from '../deps.ts';
import type { RouteContext, WebRequest, WebResponse } from './http.ts';
import { badLink, page } from './responses.ts';

/**
 * Nights whose full explanation (the evidence) is still stored are looked up for it: the stored nights are kept
 * eight days, so the last week's always are. Older nights show their verdict and top cause from the digest.
 */
export const HISTORY_EVIDENCE_DAYS = 7;

/** `GET /history`. */
export async function showHistory({ deps, request }: RouteContext): Promise<WebResponse> {
  const token = request.query.get('token') ?? '';
  const check = deps.tokens.verify(token, 'history', deps.now());
  if (!check.ok) return badLink(deps, { rejection: check.rejection });
  const subject = decodeHistorySubject(check.subject);
  if (subject === undefined) return badLink(deps, { rejection: 'malformed' });
  const subscriber = await deps.subscribers.getSubscriber(subject.subscriberId);
  // A subscriber who left, or stopped following the account, no longer sees it.
  if (
    subscriber === undefined ||
    subscriber.status === 'unsubscribed' ||
    !subscriber.accountIds.includes(subject.accountId)
  ) {
    return badLink(deps, { rejection: 'unknown_subscriber' });
  }
  const period = periodOf(request.query.get('days'));
  const now = deps.now().getTime();
  const from = now - period * DAY_MS;
  const rawFrom = now - RAW_HISTORY_DAYS * DAY_MS;
  const today = localDateAndHour(new Date(now), subscriber.timeZone).date;
  const dates = Array.from({ length: period + 1 }, (_, day) => addDays(today, -day));
  const [polls, stored] = await Promise.all([
    deps.history.listPolls(subject.accountId, new Date(from), new Date(now), new Date(rawFrom)),
    deps.history.getDigestReports(
      dates.map((localDate) => ({ subscriberId: subscriber.id, localDate })),
    ),
  ]);
  const reports = new Map<string, DigestReport>();
  for (const localDate of dates) {
    const report = stored.get(`${subscriber.id}/${localDate}`);
    if (report !== undefined) reports.set(localDate, report);
  }
  const history = buildAccountHistory({
    accountId: subject.accountId,
    from,
    to: now,
    rawFrom,
    polls,
    reports,
  });
  const link = (params: Record<string, string>) => {
    const url = siteUrl(deps.baseUrl, '/history');
    url.searchParams.set('token', token);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.toString();
  };
  if (request.query.get('format') === 'csv') {
    return withEtag(request, csvResponse(deps, historyCsv(history), subject.accountId, period));
  }
  const evidence = new Map<string, string[]>();
  await Promise.all(
    history.nights
      .filter(
        (night) => night.verdict !== 'none' && now - night.asOf <= HISTORY_EVIDENCE_DAYS * DAY_MS,
      )
      .map(async (night) => {
        const [part] = await deps.history.getNightAccounts(new Date(night.asOf), [
          subject.accountId,
        ]);
        const top = [...(part?.explanation.causes ?? [])].sort(
          (a, b) => b.confidence - a.confidence,
        )[0];
        if (top !== undefined) {
          evidence.set(
            night.localDate,
            top.evidence.map((sentence) => inLocalTime(sentence, night.asOf, subscriber.timeZone)),
          );
        }
      }),
  );
  const handle = handleOf(reports, subject.accountId);
  const body = historyPage({
    handle,
    history,
    period,
    timeZone: subscriber.timeZone,
    periodHref: (days) => link({ days: String(days) }),
    csvHref: link({ days: String(period), format: 'csv' }),
    selfHref: link({ days: String(period) }),
    evidence,
    evidenceDays: HISTORY_EVIDENCE_DAYS,
  });
  const response = page(deps, 200, body);
  // Personal and token-bearing: kept by no shared cache, but the browser may revalidate by ETag.
  response.headers['cache-control'] = 'private, no-cache';
  return withEtag(request, response);
}

function periodOf(days: string | null): HistoryPeriod {
  const asked = Number(days);
  return HISTORY_PERIODS.find((period) => period === asked) ?? DEFAULT_HISTORY_PERIOD;
}

/** The handle as the latest digest showed it (renames included), or the account id's. */
function handleOf(reports: ReadonlyMap<string, DigestReport>, accountId: string): string {
  for (const report of reports.values()) {
    const reported = report.accounts.find((entry) => entry.accountId === accountId);
    if (reported !== undefined) return displayHandle(reported.handle);
  }
  return displayHandle(accountId);
}

function csvResponse(
  deps: Pick<SubscriptionDeps, 'baseUrl'>,
  body: string,
  accountId: string,
  period: HistoryPeriod,
): WebResponse {
  const headers = page(deps, 200, '').headers;
  const name = `likewatch-${accountId.replace(/[^A-Za-z0-9._-]/g, '_')}-${period}d.csv`;
  return {
    status: 200,
    headers: {
      ...headers,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'private, no-cache',
    },
    body,
    cookies: [],
  };
}

/** Adds a strong ETag of the body; answers 304 with no body when the browser already has it. */
function withEtag(request: WebRequest, response: WebResponse): WebResponse {
  const etag = `"${createHash('sha256').update(response.body).digest('base64url').slice(0, 27)}"`;
  response.headers.etag = etag;
  const asked = request.headers['if-none-match'];
  if (asked?.split(',').some((value) => value.trim() === etag)) {
    return { ...response, status: 304, body: '' };
  }
  return response;
}
