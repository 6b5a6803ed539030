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
