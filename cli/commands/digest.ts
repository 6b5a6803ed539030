import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { createDigestLinks } from '../../adapters/digest-links.ts';
import { TokenSigner } from '../../adapters/signed-tokens.ts';
import { beginNight } from '../../core/explain/index.ts';
import { Instant, receivesDigests } from '../../core/model.ts';
import type { Store } from '../../core/ports.ts';
import { previewDigest, type SubscriberLinks } from '../../core/send-digests.ts';
import { DEFAULT_HISTORY_DAYS } from '../../core/thinned-history.ts';
import { latestDemoMorning, prepareDemo } from '../../local/demo.ts';
import { DEMO_SUBSCRIBERS } from '../../local/demo-world.ts';
import { buildEml, htmlWithEmbeddedImages } from '../../local/email-preview.ts';
import { type Command, readArgs, UsageError, validateOptions } from '../command.ts';
import { showFunctionLogs } from '../function-logs.ts';
import { openStore, parseStoreConnection, STORE_OPTIONS, storeUsage } from '../store-connection.ts';

/** The sender shown in previews; SES sets the real one from SENDER_ADDRESS. */
const PREVIEW_SENDER = 'likewatch <digest@likewatch.local>';

const Options = z.object({
  to: z.email({ message: 'an email address, like name@example.com' }).optional(),
  asOf: Instant.optional(),
  out: z.string().min(1),
  demo: z.boolean(),
  historyDays: z.coerce.number().int().min(1).max(365),
  baseUrl: z.url({ protocol: /^https?$/ }),
});

/** The demo's subscribers who get a digest, whose addresses `--demo` accepts. */
const DEMO_ADDRESSES = DEMO_SUBSCRIBERS.filter((subscriber) => subscriber.status === undefined).map(
  (subscriber) => subscriber.email,
);

/** `likewatch digest`: renders a subscriber's digest to files, without sending or recording anything. */
export const digestCommand: Command = {
  name: 'digest',
  summary: 'Preview a subscriber’s morning digest as .html, .txt and .eml files (sends nothing)',
  usage: [
    'likewatch digest --demo [--to ADDRESS] [--as-of INSTANT] [--out DIR]',
    'likewatch digest --to ADDRESS (--endpoint URL | --table NAME) [--as-of INSTANT] [--out DIR]',
    '',
    'Renders the digest the subscriber with that address would get for the night that ended at their',
    'delivery time on or before --as-of: the same words, charts, follow-ups and links as the real one. Nothing',
    'is sent and nothing is written to the store, so the real digest still goes out as usual.',
    '',
    '  --to ADDRESS       the subscriber’s email address',
    '  --demo             run the demo in-process (two simulated weeks, the morning before already sent so',
    '                     follow-ups show) and preview its last morning for --to, one of the demo’s',
    `                     subscribers: ${DEMO_ADDRESSES.join(', ')}`,
    `                     (default: ${DEMO_ADDRESSES[0]})`,
    ...storeUsage(21),
    '  --as-of INSTANT    ISO UTC (default: now; with --demo, the latest 07:00 UTC, as `likewatch start`)',
    '  --out DIR          where the files go (default: out/preview)',
    `  --history-days N   days of history the engine reads (default: ${DEFAULT_HISTORY_DAYS}, as the digest function)`,
    '  --base-url URL     base of the links (default: $PUBLIC_BASE_URL, else http://127.0.0.1/)',
    '',
    'Links are signed with $LINK_SIGNING_KEY when it is set (so they work against that deployment), else with a',
    'throwaway key. The .html file embeds the charts so a browser shows them; the .eml keeps them as inline',
    'parts referenced by Content-ID, as SES sends them.',
  ].join('\n'),
  async run(args) {
    const { options, connection } = parseOptions(args);
    const signer = new TokenSigner(
      process.env.LINK_SIGNING_KEY ?? randomBytes(32).toString('base64url'),
    );
    const now = () => new Date();
    const links = createDigestLinks(options.baseUrl, signer, now);

    if (options.demo) {
      const to = options.to ?? (DEMO_ADDRESSES[0] as string);
      // Checked before the demo's seconds of work, so a wrong address costs nothing.
      if (!DEMO_SUBSCRIBERS.some((subscriber) => sameAddress(subscriber.email, to))) {
        throw new UsageError(
          `--to: ${to} is not a demo subscriber; the demo's are ${DEMO_ADDRESSES.join(', ')}`,
        );
      }
      const asOf = options.asOf ? new Date(options.asOf) : latestDemoMorning(now());
      console.log('Running the demo (two simulated weeks) to preview its last morning…');
      const progress = (message: string) => console.log(`  ${message}`);
      const logs = showFunctionLogs(progress);
      try {
        const demo = await prepareDemo({
          asOf,
          seed: 1,
          days: 14,
          pollEveryHours: 4,
          onProgress: progress,
        });
        try {
          return await preview(demo.store, links, { ...options, to }, asOf);
        } finally {
          await demo.services.close();
        }
      } finally {
        logs.stop();
      }
    }
    if (connection === undefined) {
      throw new UsageError('give --demo, or --endpoint URL / --table NAME for a store');
    }
    const to = options.to;
    if (to === undefined) throw new UsageError('--to: give the subscriber’s email address');
    const { store, close } = openStore(connection);
    try {
      const asOf = options.asOf ? new Date(options.asOf) : now();
      return await preview(store, links, { ...options, to }, asOf);
    } finally {
      close();
    }
  },
};

async function preview(
  store: Store,
  links: SubscriberLinks,
  options: z.infer<typeof Options> & { to: string },
  asOf: Date,
): Promise<number> {
  const subscribers = (await store.listSubscribers()).filter((subscriber) =>
    sameAddress(subscriber.email, options.to),
  );
  if (subscribers.length === 0) {
    throw new UsageError(`--to: no subscriber with the address ${options.to}`);
  }
  await mkdir(options.out, { recursive: true });
  for (const subscriber of subscribers) {
    const result = await previewDigest(
      { store, links, explain: beginNight },
      { subscriber, asOf, historyDays: options.historyDays },
    );
    const label = `${subscriber.id} for ${result.localDate} (night ending ${result.asOf.toISOString()})`;
    if (result.email === undefined) {
      console.log(`${label}: a quiet night, and the subscriber chose no email on quiet nights.`);
      continue;
    }
    if (!receivesDigests(subscriber)) {
      console.log(
        `${label}: note that this subscriber is ${subscriber.status}; no digest would be sent.`,
      );
    }
    const email = result.email;
    const base = join(options.out, `${subscriber.id}-${result.localDate}`);
    await writeFile(
      `${base}.eml`,
      await buildEml(email, { from: PREVIEW_SENDER, date: result.asOf }),
    );
    await writeFile(`${base}.txt`, email.text);
    await writeFile(`${base}.html`, htmlWithEmbeddedImages(email.html, email.inlineImages ?? []));
    console.log(`${label}: ${email.subject}`);
    console.log(`  written to ${relative(process.cwd(), base) || base}.html, .txt and .eml`);
  }
  return 0;
}

/** Addresses are compared as subscribers type them, case aside. */
function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function parseOptions(args: string[]) {
  const { values } = readArgs(args, {
    to: { type: 'string' },
    'as-of': { type: 'string' },
    out: { type: 'string', default: join('out', 'preview') },
    demo: { type: 'boolean', default: false },
    'history-days': { type: 'string', default: String(DEFAULT_HISTORY_DAYS) },
    'base-url': { type: 'string' },
    ...STORE_OPTIONS,
  });
  const options = validateOptions(Options, {
    ...values,
    baseUrl: values.baseUrl ?? process.env.PUBLIC_BASE_URL ?? 'http://127.0.0.1/',
  });
  const wantsStore = values.endpoint !== undefined || values.table !== undefined;
  if (options.demo && wantsStore) {
    throw new UsageError('give either --demo or a store (--endpoint / --table), not both');
  }
  return {
    options,
    connection: wantsStore
      ? parseStoreConnection({ endpoint: values.endpoint, table: values.table })
      : undefined,
  };
}
