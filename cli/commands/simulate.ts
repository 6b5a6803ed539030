import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { simulateFleet } from '../../core/simulate/fleet.ts';
import { hashSeed } from '../../core/simulate/random.ts';
import { type Command, readArgs, UsageError, validateOptions } from '../command.ts';

/**
 * Default size of a fleet: 12 accounts with at most 12 days of history and 20 videos each write 4.7–7.8 MB per
 * fleet over seeds 1–16 (docs/decisions.md). Twelve days keep every scenario but the two that need weeks.
 */
const DEFAULT_ACCOUNTS = 12;
const DEFAULT_DAYS = 12;
const DEFAULT_VIDEOS = 20;
/** The longest history any scenario draws, and the largest back catalogue: limits this high bind nothing. */
const LONGEST_HISTORY_DAYS = 55;
const MOST_VIDEOS = 2500;

const Options = z.object({
  out: z.string().min(1),
  seed: z.coerce.number().int().nonnegative(),
  fleets: z.coerce.number().int().min(1).max(1000),
  accounts: z.coerce.number().int().min(1).max(10_000),
  days: z.coerce.number().int().min(2).max(LONGEST_HISTORY_DAYS),
  videos: z.coerce.number().int().min(1).max(MOST_VIDEOS),
});

/** `likewatch simulate`: writes labelled fleets for tests and evaluation. */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Write simulated fleet histories with the expected explanation of each account (labels)',
  usage: [
    'likewatch simulate --out DIR [--seed N] [--fleets K] [--accounts M] [--days D] [--videos V]',
    '',
    '  --out DIR      where to write fleet-<n>.json and fleet-<n>.labels.json (n = 1..K)',
    '  --seed N       seed of the whole set (default: 1); the same seed writes the same files',
    '  --fleets K     how many fleets (default: 1)',
    `  --accounts M   accounts per fleet (default: ${DEFAULT_ACCOUNTS})`,
    `  --days D       longest history polled per account, in days (default: ${DEFAULT_DAYS}); scenarios that`,
    '                 need more (thinned_history 30, reach_limited 12, audience_shift 38) are not drawn',
    `  --videos V     most videos an account has when its history starts (default: ${DEFAULT_VIDEOS})`,
    '',
    `The defaults write a few MB per fleet. --accounts 24 --days ${LONGEST_HISTORY_DAYS} --videos ${MOST_VIDEOS} limit nothing:`,
    'full-size fleets, tens of MB each.',
    '',
    'fleet-<n>.json is a likewatch.fleet/v1 document. Its window is the 24 hours ending at its latest poll.',
    'fleet-<n>.labels.json (likewatch.fleet-labels/v1) holds the expected answer, one entry per account in',
    'fleet order:',
    '  { "format": "likewatch.fleet-labels/v1", "seed": N, "asOf": INSTANT, "window": { "from", "to" },',
    '    "accounts": [ { "id", "handle",',
    '                    "scenario": what the night was (ordinary, a data gap such as failed_polls, or a cause id),',
    '                    "verdict": "loss" | "slowdown" | "none" | "unknown",',
    '                    "topCause": a cause id, or "none" / "unknown" for those verdicts,',
    '                    "causes": [every cause the polls can see, most likes first],',
    '                    "likesRemoved": likes the injected events took in the window } ] }',
  ].join('\n'),
  async run(args) {
    const options = parseOptions(args);
    await mkdir(options.out, { recursive: true });
    for (let fleet = 1; fleet <= options.fleets; fleet += 1) {
      const { fleet: document, labels } = simulateFleet({
        seed: hashSeed('cli-simulate', options.seed, fleet),
        accounts: options.accounts,
        maxHistoryDays: options.days,
        maxVideos: options.videos,
      });
      await writeFile(join(options.out, `fleet-${fleet}.json`), JSON.stringify(document));
      await writeFile(
        join(options.out, `fleet-${fleet}.labels.json`),
        `${JSON.stringify(labels, null, 2)}\n`,
      );
      console.log(
        `wrote ${join(options.out, `fleet-${fleet}.json`)} (${document.accounts.length} accounts) and its labels`,
      );
    }
    return 0;
  },
};

function parseOptions(args: string[]): z.infer<typeof Options> {
  const { values } = readArgs(args, {
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    fleets: { type: 'string', default: '1' },
    accounts: { type: 'string', default: String(DEFAULT_ACCOUNTS) },
    days: { type: 'string', default: String(DEFAULT_DAYS) },
    videos: { type: 'string', default: String(DEFAULT_VIDEOS) },
  });
  if (values.out === undefined) throw new UsageError('missing --out DIR');
  return validateOptions(Options, values);
}
