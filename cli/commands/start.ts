import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { countOf } from '../../core/format.ts';
import { receivesDigests, SourceKind, type Subscriber } from '../../core/model.ts';
import { type DemoResult, latestDemoMorning, runDemo } from '../../local/demo.ts';
import { buildEml, htmlWithEmbeddedImages } from '../../local/email-preview.ts';
import type { DeliveredEmail } from '../../local/local-ses.ts';
import { demoHistoryUrl } from '../../local/served-demo.ts';
import { loadHttpApiFunction, startLocalWebServer } from '../../local/web-server.ts';
import { type Command, readArgs, validateOptions } from '../command.ts';
import { describeLogCounts, showFunctionLogs } from '../function-logs.ts';

const Options = z.object({
  serve: z.boolean(),
  out: z.string().min(1),
  seed: z.coerce.number().int().nonnegative(),
  asOf: z.iso.datetime({ offset: false }).optional(),
  days: z.coerce.number().int().min(2).max(60),
  pollEveryHours: z.coerce.number().int().min(1).max(24),
  source: SourceKind,
});

/** `likewatch start`: the main job on the embedded default. */
export const startCommand: Command = {
  name: 'start',
  summary: 'Run the whole pipeline on embedded services (two simulated weeks, one digest)',
  usage: [
    'likewatch start [--serve] [--out DIR] [--seed N] [--as-of INSTANT] [--days N] [--poll-every-hours N]',
    '                [--source display_api|research_api|web]',
    '',
    '  --serve               keep the services up after the run (subscription pages, local SES viewer)',
    '                        until Ctrl-C',
    '  --out DIR             where the digests are written as .eml and .html (default: out)',
    '  --seed N              seed of the simulated world (default: 1)',
    '  --as-of INSTANT       the morning the digest is for, ISO UTC (default: the latest 07:00 UTC)',
    '  --days N              simulated days of polls (default: 14)',
    '  --poll-every-hours N  poll cadence (default: 4)',
    '  --source KIND         where the stats come from, all served by the fake TikTok: display_api (default),',
    '                        research_api or web (unofficial); see docs/sources.md',
  ].join('\n'),
  async run(args) {
    const options = parseOptions(args);
    const asOf = options.asOf ? new Date(options.asOf) : latestDemoMorning(new Date());
    const log = (message: string) => console.log(`  ${message}`);
    const started = performance.now();
    console.log('likewatch — embedded default (no AWS account, no internet)');

    // With --serve the pages listen before the run, so the digests' links point at them.
    const web = options.serve ? await startLocalWebServer() : undefined;
    const logs = showFunctionLogs(log);
    let result: DemoResult;
    try {
      result = await runDemo({
        ...(web ? { publicBaseUrl: web.url } : {}),
        asOf,
        seed: options.seed,
        days: options.days,
        pollEveryHours: options.pollEveryHours,
        source: options.source,
        onProgress: log,
      });
    } catch (error) {
      logs.stop();
      await web?.close();
      throw error;
    }
    try {
      const runDir = join(
        options.out,
        asOf.toISOString().replace('.000Z', 'Z').replaceAll(':', '-'),
      );
      await mkdir(runDir, { recursive: true });
      for (const email of result.emails) {
        const subscriber = result.subscribers.find((candidate) =>
          email.to.includes(candidate.email),
        );
        const name = subscriber?.id ?? email.messageId;
        // The local SES's own rendering mangles inline images (see DeliveredEmail.eml), so the message is
        // laid out again from what SES was asked to send, the way SES lays it out.
        await writeFile(join(runDir, `${name}.eml`), await deliveredEml(email));
        // A browser cannot resolve the charts' cid: links from a file, so the .html embeds them.
        await writeFile(
          join(runDir, `${name}.html`),
          htmlWithEmbeddedImages(email.html, email.inlineImages),
        );
      }

      const { polls, digests } = result;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log('');
      console.log(`Summary (${seconds} s)`);
      console.log(`  accounts watched   ${result.accounts.length}`);
      console.log(
        `  polls stored       ${polls.accounts} in ${polls.runs} poll runs (ok ${polls.ok}, partial ${polls.partial}, failed ${polls.failed})`,
      );
      console.log(
        `  drops found        ${countOf(digests.losses, 'account')} lost likes, ${countOf(digests.slowdowns, 'account')} slowed down`,
      );
      const previous = result.previousDigests;
      console.log(
        `  day before         ${previous.sent} of ${previous.due} digests sent (the morning of ${result.previousMorning.toISOString()}, followed up on today)`,
      );
      console.log(
        `  emails sent        ${digests.sent} of ${digests.due} due (${countOf(digests.skipped, 'quiet night')} skipped, ${digests.failed} failed)`,
      );
      for (const email of result.emails) {
        console.log(`    to ${email.to.map(maskAddress).join(', ')}: ${email.subject}`);
      }
      for (const subscriber of result.subscribers) {
        if (result.emails.some((email) => email.to.includes(subscriber.email))) continue;
        console.log(`    no email to ${maskAddress(subscriber.email)}: ${whyNoEmail(subscriber)}`);
      }
      console.log(`  function logs      ${describeLogCounts(logs.counts)}`);
      console.log(
        `  digests written to ${relative(process.cwd(), runDir) || '.'}/ (.eml and .html)`,
      );
      if (!web) {
        // Without a server the links point nowhere; say so rather than let them fail silently.
        console.log('  the links in the digests only work with --serve (likewatch start --serve)');
      }

      if (web) {
        web.serve(await loadHttpApiFunction(result.services.env));
        console.log('');
        console.log(`Subscription pages: ${web.url} (links in the digests above open here)`);
        console.log(`History of @luna.bakes, as the agency subscriber's digest links to it:`);
        console.log(demoHistoryUrl(web.url, result.services.env));
        console.log(`Local SES viewer:   ${result.services.sesEndpoint}/`);
        console.log(`Fake TikTok API:    ${result.services.tiktok.url}/v2/user/info/`);
        console.log(`Embedded DynamoDB:  ${result.services.dynamodbEndpoint}`);
        console.log('Services stay up until Ctrl-C.');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
      }
      return digests.failed === 0 ? 0 : 1;
    } finally {
      logs.stop();
      await web?.close();
      await result.services.close();
    }
  },
};

function parseOptions(args: string[]): z.infer<typeof Options> {
  const { values } = readArgs(args, {
    serve: { type: 'boolean', default: false },
    out: { type: 'string', default: 'out' },
    seed: { type: 'string', default: '1' },
    'as-of': { type: 'string' },
    days: { type: 'string', default: '14' },
    'poll-every-hours': { type: 'string', default: '4' },
    source: { type: 'string', default: 'display_api' },
  });
  return validateOptions(Options, {
    ...values,
    // `npm start --serve` (without `--`) hands the flag to npm, which passes it on as npm_config_serve.
    serve: values.serve === true || process.env.npm_config_serve === 'true',
  });
}

/**
 * Why `subscriber` got no email this morning. The demo makes every subscriber due at once, so it is their
 * status, their choice on quiet nights, or a failure the summary counts.
 */
function whyNoEmail(subscriber: Subscriber): string {
  if (!receivesDigests(subscriber)) return `${subscriber.status}, so no digest is sent`;
  if (subscriber.quietNights === 'skip') {
    return 'a quiet night for their accounts, and they chose no email on quiet nights';
  }
  return 'the digest failed (counted above)';
}

/** The delivered email as an .eml file with its charts inline. */
function deliveredEml(email: DeliveredEmail): Promise<Buffer> {
  return buildEml(
    {
      to: email.to.join(', '),
      subject: email.subject,
      text: email.text,
      html: email.html,
      headers: email.headers,
      inlineImages: email.inlineImages.map((image, index) => ({
        contentId: image.contentId,
        filename: `chart-${index + 1}.png`,
        contentType: 'image/png',
        content: image.content,
      })),
    },
    { from: email.from, date: new Date(), messageId: email.messageId },
  );
}

/** `maya@example.com` → `m***@example.com`: output never shows full addresses. */
function maskAddress(address: string): string {
  const at = address.indexOf('@');
  return at <= 0 ? '***' : `${address[0]}***${address.slice(at)}`;
}
