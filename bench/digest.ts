/**
 * Digests: the time to compose one subscriber's digest (engine verdicts in, subject + text + HTML + charts
 * out), and emails per second through the SES mailer against the local SES's own ceiling (the same number of
 * minimal SendEmail calls, measured in the same run).
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { type ComposedDigest, composeDigest } from '../core/digest/compose.ts';
import type { DigestAccountInput, DigestInput } from '../core/digest/input.ts';
import { explainFleet } from '../core/explain/index.ts';
import type { Account, Subscriber } from '../core/model.ts';
import { simulateFleet } from '../core/simulate/fleet.ts';
import { DAY_MS } from '../core/time.ts';
import { startEmbeddedSes } from '../local/services.ts';
import {
  type Benchmark,
  type BenchSection,
  fmt,
  plainEmailsPerSecond,
  ratePerSecond,
} from './harness.ts';

const ACCOUNTS = 60;
const ACCOUNTS_PER_SUBSCRIBER = 3;
const EMAILS = 300;
const SEND_CONCURRENCY = 8;

/** Subscribers following 3 accounts each, over a simulated fleet with every kind of night. */
function digestInputs(): DigestInput[] {
  const asOf = new Date('2026-11-24T06:00:00Z');
  const { fleet } = simulateFleet({ seed: 4242, accounts: ACCOUNTS, asOf });
  const explanation = explainFleet(fleet, { asOf });
  const sections: DigestAccountInput[] = fleet.accounts.map((history, index) => {
    const account: Account = {
      platform: 'tiktok',
      id: history.id,
      handle: history.handle,
      source: 'display_api',
      status: 'active',
      addedAt: '2026-01-01T00:00:00Z',
    };
    const since = (days: number) =>
      history.polls.filter((poll) => Date.parse(poll.at) >= asOf.getTime() - days * DAY_MS);
    return {
      account,
      explanation: explanation.accounts[index]!,
      polls: since(2),
      history: since(7),
    };
  });
  const inputs: DigestInput[] = [];
  for (
    let first = 0;
    first + ACCOUNTS_PER_SUBSCRIBER <= sections.length;
    first += ACCOUNTS_PER_SUBSCRIBER
  ) {
    const accounts = sections.slice(first, first + ACCOUNTS_PER_SUBSCRIBER);
    const subscriber: Subscriber = {
      id: `sub-${first}`,
      email: `reader${first}@example.com`,
      timeZone: 'Europe/Berlin',
      deliveryHour: 7,
      quietNights: 'all_clear',
      accountIds: accounts.map((section) => section.account.id),
    };
    inputs.push({
      subscriber,
      localDate: '2026-11-24',
      window: explanation.window,
      accounts,
      links: {
        preferences: 'https://likewatch.example.com/preferences?token=t',
        unsubscribe: 'https://likewatch.example.com/unsubscribe?token=t',
        reconnect: () => 'https://likewatch.example.com/connect?token=t',
        history: () => 'https://likewatch.example.com/history?token=t',
        feedback: () => ({
          yes: 'https://likewatch.example.com/feedback?answer=yes',
          no: 'https://likewatch.example.com/feedback?answer=no',
        }),
      },
    });
  }
  return inputs;
}

export const digestBenchmark: Benchmark = {
  name: 'digest',
  async run(): Promise<BenchSection> {
    const inputs = digestInputs();
    // Warm up, then compose every subscriber's digest several times over.
    for (const input of inputs) composeDigest(input);
    const rounds = 10;
    let composed: ComposedDigest[] = [];
    const composeStarted = performance.now();
    for (let round = 0; round < rounds; round += 1) {
      composed = inputs.flatMap((input) => composeDigest(input) ?? []);
    }
    const composeMs = (performance.now() - composeStarted) / (rounds * inputs.length);

    const ses = await startEmbeddedSes();
    const client = new SESv2Client({
      endpoint: ses.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    try {
      const ceilingPerSecond = await plainEmailsPerSecond(client, EMAILS, SEND_CONCURRENCY);

      const mailer = new SesMailer(client, { from: 'likewatch <digest@likewatch.test>' });
      const sendPerSecond = await ratePerSecond(EMAILS, SEND_CONCURRENCY, (index) => {
        const digest = composed[index % composed.length]!;
        return mailer.send({
          to: `reader${index}@example.com`,
          ...digest,
          inlineImages: digest.inlineImages,
        });
      });
      const averageKb =
        composed.reduce((sum, digest) => sum + digest.html.length + digest.text.length, 0) /
        composed.length /
        1024;
      return {
        title: 'Digests: composing and sending',
        description: `${inputs.length} subscribers following ${ACCOUNTS_PER_SUBSCRIBER} accounts each, over a simulated fleet of ${ACCOUNTS} accounts with every kind of night (engine verdicts computed once beforehand). Sending: ${EMAILS} emails, ${SEND_CONCURRENCY} at a time, to the local SES API; the ceiling sends the same number of one-line emails in the same run.`,
        columns: ['Measure', 'Value'],
        rows: [
          ['Compose one digest (subject, text, HTML, charts), ms', fmt(composeMs, 2)],
          ['Average digest size (HTML + text), KB', fmt(averageKb, 1)],
          ['Digests sent per second through the SES mailer', fmt(sendPerSecond, 0)],
          ['Local SES ceiling, one-line emails per second', fmt(ceilingPerSecond, 0)],
          [
            'Digest sending as a share of the ceiling',
            `${fmt((100 * sendPerSecond) / ceilingPerSecond, 0)}%`,
          ],
        ],
        measurements: { 'digest.composeMs': composeMs, 'digest.sendPerSecond': sendPerSecond },
      };
    } finally {
      client.destroy();
      await ses.close();
    }
  },
};
