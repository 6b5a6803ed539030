/**
 * The body of the fake TikTok's own thread (see `thread.ts`): serves at once, builds the world from its spec
 * (worlds are deterministic) right after, reads the simulated clock from the shared buffer, and answers the
 * few calls the owning thread makes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  createWorld,
  type Observation,
  type SimulatedWorld,
  type World,
  type WorldSpec,
  worldAccounts,
} from '../../core/simulate/world.ts';
import type { FakeTokenResponse, GrantOptions } from './grants.ts';
import { FakeTikTok } from './server.ts';

/** A call from the owning thread. */
export type ThreadCall =
  | {
      id: number;
      method: 'issueGrants';
      grants: Array<{ accountId: string; options?: GrantOptions }>;
    }
  | { id: number; method: 'observe'; accountIds: string[]; atMs: number }
  | { id: number; method: 'requestsServed' }
  | { id: number; method: 'close' };

/** What each call answers. */
export interface ThreadAnswers {
  issueGrants: FakeTokenResponse[];
  observe: Observation[];
  requestsServed: Array<[string, number]>;
  close: null;
}

const { spec, clock } = workerData as { spec: WorldSpec; clock: SharedArrayBuffer };
const clockMs = new Float64Array(clock);
// The accounts are known from the spec; the simulation is built on first use, which the thread starts as
// soon as it serves, while the owning thread writes what needs no TikTok.
let built: SimulatedWorld | undefined;
const simulation = () => {
  built ??= createWorld(spec);
  return built;
};
const world: World = {
  accounts: worldAccounts(spec),
  observe: (accountId, at) => simulation().observe(accountId, at),
};
const fake = await FakeTikTok.start({ world, now: () => new Date(clockMs[0] as number) });
const port = parentPort;
if (!port) throw new Error('the fake TikTok thread runs as a worker thread only');
port.postMessage({ ready: true, url: fake.url, client: fake.client });
setImmediate(simulation);

port.on('message', async (call: ThreadCall) => {
  try {
    const answer = await answerTo(call);
    port.postMessage({ id: call.id, result: answer });
  } catch (error) {
    port.postMessage({
      id: call.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});

async function answerTo(call: ThreadCall): Promise<ThreadAnswers[ThreadCall['method']]> {
  switch (call.method) {
    case 'issueGrants':
      return call.grants.map(({ accountId, options }) => fake.issueGrant(accountId, options));
    case 'observe':
      return call.accountIds.map((accountId) => world.observe(accountId, new Date(call.atMs)));
    case 'requestsServed':
      return [...fake.requestsServed()];
    case 'close':
      await fake.close();
      return null;
  }
}
