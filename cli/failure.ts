/**
 * The CLI's one way to report a failure: what failed and what to do, in one or two lines, and the exit code.
 * The stack trace (with every `cause`) is printed only with `--debug` or `LIKEWATCH_DEBUG=1`.
 */
import { inspect } from 'node:util';
import { StoreError } from '../core/errors.ts';
import { UsageError } from './command.ts';

/** The global flag that asks for stack traces; it may appear anywhere in the arguments. */
export const DEBUG_FLAG = '--debug';

/** Exit code of a failure at run time. */
export const EXIT_FAILURE = 1;
/** Exit code of bad usage or input. */
export const EXIT_USAGE = 2;

/** Whether stack traces are wanted: `--debug` among the arguments, or `LIKEWATCH_DEBUG=1`. */
export function wantsDebug(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes(DEBUG_FLAG) || env.LIKEWATCH_DEBUG === '1';
}

/** Network failures that mean nothing is listening at (or nothing answers from) the address. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
]);

const LOCAL_HINT =
  'start the local runtime with `npx likewatch start --serve` and pass the --endpoint it prints, or check --endpoint';
const AWS_HINT = 'or use --endpoint URL for a local store';

/**
 * What failed and what to do about `error`, as one or two lines (without the command's name). The whole
 * `cause` chain is searched for a failure the user can act on: an unreachable endpoint, missing AWS
 * credentials or region, a missing table, a refused request.
 */
export function describeFailure(error: unknown): string[] {
  const chain = causeChain(error);
  const fromStore = chain.some((link) => link instanceof StoreError);
  for (const link of chain) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) {
      const { address, port } = link as { address?: string; port?: number };
      const where = address === undefined ? '' : ` at ${address}${port ? `:${port}` : ''}`;
      return fromStore
        ? [`cannot reach the DynamoDB${where} (${code})`, `To fix: ${LOCAL_HINT}.`]
        : [
            `cannot reach the service${where} (${code})`,
            'To fix: check the address and that the service there is running.',
          ];
    }
    if (code === 'EADDRINUSE') {
      const { address, port } = link as { address?: string; port?: number };
      return [
        `the port is in use${address === undefined ? '' : ` (${address}:${port})`}`,
        'To fix: choose another --port, or stop what listens there.',
      ];
    }
    const name = link.name;
    if (name === 'CredentialsProviderError') {
      return [
        'no AWS credentials found',
        `To fix: set AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), ${AWS_HINT}.`,
      ];
    }
    if (link.message === 'Region is missing') {
      return [
        'no AWS region set',
        `To fix: set AWS_REGION (e.g. AWS_REGION=eu-west-1), ${AWS_HINT}.`,
      ];
    }
    if (name === 'ResourceNotFoundException') {
      return [
        `the table was not found (${link.message})`,
        'To fix: check --table (the stack output TableName names the deployed one) and AWS_REGION.',
      ];
    }
    if (
      name === 'UnrecognizedClientException' ||
      name === 'AccessDeniedException' ||
      name === 'ExpiredTokenException' ||
      name === 'InvalidSignatureException'
    ) {
      return [
        `AWS refused the request (${name}: ${link.message})`,
        'To fix: check the AWS credentials, their region and that they may use this table.',
      ];
    }
  }
  const message = error instanceof Error ? describeError(error) : String(error);
  return [message, `Run again with ${DEBUG_FLAG} to see where it failed.`];
}

/** Prints the failure of `command` on stderr and returns its exit code. */
export function reportFailure(command: string, error: unknown, debug: boolean): number {
  const [first, ...rest] =
    error instanceof UsageError
      ? [error.message, `See 'likewatch ${command} --help' for its options.`]
      : describeFailure(error);
  console.error([`likewatch ${command}: ${first}`, ...rest].join('\n'));
  if (debug) console.error(inspect(error, { depth: 6 }));
  return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}

/** `error` and its causes, outermost first. */
function causeChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let link = error; link instanceof Error && chain.length < 10; link = link.cause) {
    chain.push(link);
  }
  return chain;
}

/** The message of `error`, followed by its innermost cause's when that says more. */
function describeError(error: Error): string {
  const innermost = causeChain(error).at(-1) ?? error;
  return innermost === error || innermost.message === ''
    ? error.message
    : `${error.message} (${innermost.message})`;
}
