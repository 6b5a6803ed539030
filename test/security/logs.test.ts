import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoResult, runDemo } from '../../local/demo.ts';

/**
 * Runs a short demo with every log level on and captures everything the functions write, then checks that no
 * secret and no full email address reached the logs.
 */
describe('logs of a whole run', () => {
  let result: DemoResult;
  let captured = '';
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };

  beforeAll(async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    const capture =
      (original: typeof process.stdout.write) =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        captured +=
          typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
        return (original as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
      };
    process.stdout.write = capture(writes.stdout) as typeof process.stdout.write;
    process.stderr.write = capture(writes.stderr) as typeof process.stderr.write;
    try {
      result = await runDemo({
        asOf: new Date('2026-11-24T07:00:00Z'),
        seed: 1,
        days: 3,
        pollEveryHours: 6,
        onProgress: () => undefined,
      });
    } finally {
      process.stdout.write = writes.stdout;
      process.stderr.write = writes.stderr;
    }
  }, 120_000);

  afterAll(async () => {
    await result?.services.close();
  });

  it('should have captured the functions’ structured logs', () => {
    const logLines = captured.split('\n').filter((line) => line.startsWith('{"level":'));
    expect(logLines.length).toBeGreaterThan(10);
  });

  it('should never log a full email address', () => {
    for (const subscriber of result.subscribers) {
      expect(captured).not.toContain(subscriber.email);
    }
    expect(captured).not.toMatch(/[\w.+-]+@(example\.com|example\.net|agency\.example)/);
  });

  it('should never log a secret: signing and encryption keys, access or refresh tokens', () => {
    for (const name of ['LINK_SIGNING_KEY', 'CREDENTIALS_LOCAL_KEY', 'TIKTOK_CLIENT_SECRET']) {
      const secret = result.services.env[name];
      // The local runtime sets every one of them; a missing one would leave nothing to look for.
      expect(secret, name).toBeTruthy();
      expect(captured, name).not.toContain(secret);
    }
    expect(captured).not.toMatch(/\b(act|rft|clt)\.[A-Za-z0-9_-]{8,}/);
  });
});
