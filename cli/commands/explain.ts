import { CAUSE_NAMES } from '../../core/causes.ts';
import { CAUSE_ADVICE } from '../../core/digest/advice.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { countOf, formatCount } from '../../core/explain/format.ts';
import { explainFleet, parseFleet } from '../../core/explain/index.ts';
import { type AccountExplanation, type Explanation, Instant } from '../../core/model.ts';
import { type Command, readArgs, UsageError } from '../command.ts';
import { readInput } from '../read-input.ts';

/** `likewatch explain`: runs the engine on a fleet history and prints the explanation. */
export const explainCommand: Command = {
  name: 'explain',
  summary: 'Explain the last 24 hours of a fleet history (likewatch.fleet/v1) per account',
  usage: [
    'likewatch explain FLEET.json|- [--as-of INSTANT] [--json]',
    '',
    '  FLEET.json       a likewatch.fleet/v1 document; - reads it from stdin',
    '  --as-of INSTANT  end of the 24-hour window, ISO UTC (default: the latest poll in the fleet)',
    '  --json           write likewatch.explanation/v1 to stdout instead of a readable report',
    '',
    'Invalid input exits with code 2 and names the file, account, poll and field.',
  ].join('\n'),
  async run(args) {
    const options = parseOptions(args);
    const text = await readInput(options.file);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${options.file}: not valid JSON (${(error as Error).message})`);
    }
    let fleet: ReturnType<typeof parseFleet>;
    try {
      fleet = parseFleet(json);
    } catch (error) {
      if (error instanceof InvalidInputError)
        throw new UsageError(`${options.file}: ${error.message}`);
      throw error;
    }
    if (!options.asOf && fleet.accounts.every((account) => account.polls.length === 0)) {
      throw new UsageError(
        `${options.file}: the fleet has no polls; pass --as-of to set the window`,
      );
    }
    const explanation = explainFleet(fleet, options.asOf ? { asOf: options.asOf } : {});
    console.log(
      options.json ? JSON.stringify(explanation, null, 2) : formatExplanation(explanation),
    );
    return 0;
  },
};

function parseOptions(args: string[]): { file: string; asOf?: Date; json: boolean } {
  const { values, positionals } = readArgs(
    args,
    { 'as-of': { type: 'string' }, json: { type: 'boolean' } },
    { positionals: 1 },
  );
  const [file] = positionals;
  if (file === undefined) throw new UsageError('missing FLEET.json (or - for stdin)');
  const asOfText = values.asOf as string | undefined;
  if (asOfText !== undefined && !Instant.safeParse(asOfText).success) {
    throw new UsageError(
      `--as-of: expected an ISO-8601 UTC instant such as 2026-11-24T06:00:00Z, got '${asOfText}'`,
    );
  }
  return {
    file,
    json: values.json === true,
    ...(asOfText ? { asOf: new Date(asOfText) } : {}),
  };
}

const VERDICT_TITLES: Record<AccountExplanation['verdict'], string> = {
  loss: 'LIKES REMOVED',
  slowdown: 'LIKES COMING IN SLOWER',
  none: 'an ordinary night',
  unknown: 'could not see (not enough polls)',
};

/** The explanation as a person reads it: one block per account. */
export function formatExplanation(explanation: Explanation): string {
  const lines = [`Window ${explanation.window.from} → ${explanation.window.to}`, ''];
  for (const account of explanation.accounts) {
    const { likes } = account;
    lines.push(`@${account.handle} (${account.id}): ${VERDICT_TITLES[account.verdict]}`);
    const baseline =
      likes.baselineGain === null
        ? 'no baseline yet'
        : `usually ${formatCount(likes.baselineGain)}`;
    lines.push(
      `  lost ${countOf(likes.lost, 'like')} (${formatCount(likes.restored)} came back), gained ${formatCount(likes.gained)} (${baseline})`,
    );
    for (const cause of account.causes) {
      lines.push(
        `  ${Math.round(cause.confidence * 100)}% ${CAUSE_NAMES[cause.cause].title}${cause.likes > 0 ? ` — ${countOf(cause.likes, 'like')}` : ''}`,
      );
      for (const sentence of cause.evidence) lines.push(`      · ${sentence}`);
    }
    const top = account.causes[0];
    if (top) lines.push(`  What to do: ${CAUSE_ADVICE[top.cause].summary}`);
    const shown = account.verdict === 'loss' ? account.videos.slice(0, 5) : [];
    for (const video of shown) {
      lines.push(
        `    video ${video.id}: lost ${formatCount(video.lost)}${video.restored > 0 ? `, ${formatCount(video.restored)} back` : ''}${video.cause ? ` (${CAUSE_NAMES[video.cause].title})` : ''}`,
      );
    }
    if (account.verdict === 'loss' && account.videos.length > shown.length) {
      lines.push(`    … and ${account.videos.length - shown.length} more videos`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
