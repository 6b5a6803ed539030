/**
 * Headless Chromium for the browser tests and the screenshot script: Debian's `chromium` driven by
 * playwright-core (no browser download). The flags keep it from reaching for the network at start-up, which
 * this machine's closed network would refuse many times over.
 */
import { type Browser, chromium } from 'playwright-core';

/** Where Chromium is; `CHROMIUM_PATH` overrides Debian's location. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium with the flags every caller needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
