/**
 * The body of the fake TikTok's own thread (see `thread.ts`): rebuilds the world from its spec (worlds are
 * deterministic), reads the simulated clock from the shared buffer, and answers the few calls the owning
 * thread makes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createWorld, type WorldSpec } from '../../core/simulate/world.ts';
import type { GrantOptions } from './grants.ts';
import { FakeTikTok } from './server.ts';

/** A call from the owning thread. */
export type ThreadCall =
  | { id: number; method: 'issueGrant'; accountId: string; options?: GrantOptions }
  | { id: number; method: 'requestsServed' }
  | { id: number; method: 'close' };

const { spec, clock } = workerData as { spec: WorldSpec; clock: SharedArrayBuffer };
const clockMs = new Float64Array(clock);
const fake = await FakeTikTok.start({
  world: createWorld(spec),
  now: () => new Date(clockMs[0] as number),
});
const port = parentPort;
if (!port) throw new Error('the fake TikTok thread runs as a worker thread only');
port.postMessage({ ready: true, url: fake.url, client: fake.client });
port.on('message', async (call: ThreadCall) => {
  try {
    if (call.method === 'issueGrant') {
      port.postMessage({ id: call.id, result: fake.issueGrant(call.accountId, call.options) });
    } else if (call.method === 'requestsServed') {
      port.postMessage({ id: call.id, result: [...fake.requestsServed()] });
    } else {
      await fake.close();
      port.postMessage({ id: call.id, result: null });
    }
  } catch (error) {
    port.postMessage({
      id: call.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
