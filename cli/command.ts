import { parseArgs } from 'node:util';
import type { z } from 'zod';

/** A `likewatch` sub-command. `run` returns the process exit code (0 ok, 1 failure, 2 bad usage or input). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Bad usage or input: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Declared flags, as node's `parseArgs` takes them. */
export type FlagSpec = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/**
 * Reads `args`: the declared flags (strictly: an unknown flag is an error) and the positional arguments.
 * Kebab-case flag names come back camelCased (`--as-of` → `asOf`). Problems become UsageError.
 */
export function readArgs(
  args: string[],
  flags: FlagSpec,
  { positionals: allowed = 0 }: { positionals?: number } = {},
): { values: Record<string, unknown>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: flags, strict: true, allowPositionals: allowed > 0 });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length > allowed) {
    throw new UsageError(`unexpected argument '${parsed.positionals[allowed]}'`);
  }
  const values = Object.fromEntries(
    Object.entries(parsed.values).map(([name, value]) => [
      name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()),
      value,
    ]),
  );
  return { values, positionals: parsed.positionals };
}

/** Validates option values with `schema`; every problem is listed in one UsageError, by its flag. */
export function validateOptions<S extends z.ZodType>(schema: S, values: unknown): z.infer<S> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    const flag = name
      ? `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}: `
      : '';
    return `${flag}${issueText(issue, name ? (values as Record<string, unknown>)[name] : undefined)}`;
  });
  // Messages worded for the pages end in a full stop; on one line they are joined by semicolons instead.
  throw new UsageError(problems.map((problem) => problem.replace(/\.$/, '')).join('; '));
}

/** An issue in words for the command line: a value that is not a number says so and quotes it. */
function issueText(issue: z.core.$ZodIssue, given: unknown): string {
  if (issue.code === 'invalid_type' && issue.expected === 'number') {
    return given === undefined
      ? 'a number is needed'
      : `expected a number, not ${JSON.stringify(given)}`;
  }
  return issue.message;
}
