// Browser tests drive Debian's Chromium through playwright-core (no browser download). On a fresh machine
// where it is missing, install it with apt-get when we can (root, apt available); otherwise say how.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Returns true when Chromium is available (installing it first if possible). */
export function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return true;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    console.warn(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's "chromium" package for the browser tests.`,
    );
    return false;
  }
  console.log('▸ Installing Chromium for the browser tests (apt-get install chromium)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env };
  spawnSync('apt-get', ['update', '-qq'], quiet);
  spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], quiet);
  return existsSync(CHROMIUM_PATH);
}
