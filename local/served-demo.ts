/**
 * The demo with its pages served: the web server listens first (so the digests' links point at its port), the
 * demo runs, and the same HTTP function answers the pages. Used by `likewatch start --serve`, the browser tests
 * and the screenshot script, so all three look at the same thing.
 */
import { createDigestLinks } from '../adapters/digest-links.ts';
import { TokenSigner } from '../adapters/signed-tokens.ts';
import { type DemoOptions, type DemoResult, runDemo } from './demo.ts';
import { DEMO_ACCOUNT_IDS } from './demo-world.ts';
import { type LocalWebServer, loadHttpApiFunction, startLocalWebServer } from './web-server.ts';

/** The demo subscriber and account whose history page is shown: the agency's view of the purged account. */
export const DEMO_HISTORY = { subscriberId: 'sub-agency', accountId: DEMO_ACCOUNT_IDS.purged };

/** A finished demo whose pages are being served. */
export interface ServedDemo {
  result: DemoResult;
  web: LocalWebServer;
  /** The demo history page's address, signed as the digests' "View history" links are. */
  historyUrl: string;
  close(): Promise<void>;
}

/** The demo history page under `baseUrl`, signed with the local services' key (`env`) for 60 days. */
export function demoHistoryUrl(baseUrl: string, env: Record<string, string>): string {
  const links = createDigestLinks(
    baseUrl,
    new TokenSigner(env.LINK_SIGNING_KEY as string),
    () => new Date(),
  );
  return links.history(DEMO_HISTORY.subscriberId, DEMO_HISTORY.accountId);
}

/** Runs the demo with its pages served; the caller closes it. */
export async function runServedDemo(
  options: Omit<DemoOptions, 'publicBaseUrl'>,
): Promise<ServedDemo> {
  const web = await startLocalWebServer();
  let result: DemoResult;
  try {
    result = await runDemo({ ...options, publicBaseUrl: web.url });
  } catch (error) {
    await web.close();
    throw error;
  }
  web.serve(await loadHttpApiFunction(result.services.env));
  return {
    result,
    web,
    historyUrl: demoHistoryUrl(web.url, result.services.env),
    close: async () => {
      await web.close();
      await result.services.close();
    },
  };
}
