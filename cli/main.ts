import type { Command } from './command.ts';
import { DEBUG_FLAG, EXIT_USAGE, reportFailure, wantsDebug } from './failure.ts';

/** Every sub-command, loaded lazily so `--help` and small commands start fast. */
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: {
    summary: 'Run the whole pipeline on embedded services (two simulated weeks, one digest)',
    load: async () => (await import('./commands/start.ts')).startCommand,
  },
  digest: {
    summary: 'Preview a subscriber’s morning digest as .html, .txt and .eml files (sends nothing)',
    load: async () => (await import('./commands/digest.ts')).digestCommand,
  },
  explain: {
    summary: 'Explain the last 24 hours of a fleet history (likewatch.fleet/v1) per account',
    load: async () => (await import('./commands/explain.ts')).explainCommand,
  },
  simulate: {
    summary:
      'Write simulated fleet histories with the expected explanation of each account (labels)',
    load: async () => (await import('./commands/simulate.ts')).simulateCommand,
  },
  export: {
    summary: 'Write the stored poll history as a fleet document (likewatch.fleet/v1) to stdout',
    load: async () => (await import('./commands/export.ts')).exportCommand,
  },
  import: {
    summary: 'Load a fleet document (likewatch.fleet/v1) into the store',
    load: async () => (await import('./commands/import.ts')).importCommand,
  },
  poll: {
    summary: 'Poll one TikTok account once, as the poll worker does, and print the poll',
    load: async () => (await import('./commands/poll.ts')).pollCommand,
  },
  'fake-tiktok': {
    summary:
      'Run the fake TikTok (Display API, Research API, web pages) alone, with switchable faults',
    load: async () => (await import('./commands/fake-tiktok.ts')).fakeTikTokCommand,
  },
  accounts: {
    summary: 'Add, list or remove watched TikTok accounts in a store',
    load: async () => (await import('./commands/accounts.ts')).accountsCommand,
  },
  subscribers: {
    summary: 'Add, list or remove digest subscribers in a store',
    load: async () => (await import('./commands/subscribers.ts')).subscribersCommand,
  },
  'ses-event': {
    summary: 'Record an SES bounce or complaint notification (as SNS delivers it) in a store',
    load: async () => (await import('./commands/ses-event.ts')).sesEventCommand,
  },
  cost: {
    summary: 'Estimate the monthly AWS bill from measured per-operation costs',
    load: async () => (await import('./commands/cost.ts')).costCommand,
  },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`,
  );
  return [
    'likewatch: explains overnight TikTok like drops in a morning digest.',
    '',
    'Usage: likewatch <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'likewatch <command> --help' for a command's options. Any command takes --debug to show the",
    'stack trace of a failure (as does LIKEWATCH_DEBUG=1).',
  ].join('\n');
}

/**
 * `Usage: ` and the command's usage. Its synopsis (the lines before the first blank one: several forms, or
 * one form on several lines) is written from column 0, so each line after the first moves under the first.
 */
function usageBlock(usage: string): string {
  const label = 'Usage: ';
  const [synopsis = '', ...rest] = usage.split('\n\n');
  const aligned = synopsis.replaceAll('\n', `\n${' '.repeat(label.length)}`);
  return [`${label}${aligned}`, ...rest].join('\n\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const debug = wantsDebug(argv);
  const [name, ...rest] = argv.filter((arg) => arg !== DEBUG_FLAG);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`likewatch: unknown command '${name}'.\n\n${help()}`);
    return EXIT_USAGE;
  }
  try {
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(`${command.summary}\n\n${usageBlock(command.usage)}`);
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    return reportFailure(name, error, debug);
  }
}
