/**
 * The fake TikTok on a thread of its own, for the benchmarks: a real TikTok answers on other machines, so its
 * work should not share the event loop (and the garbage collector) with the functions that call it. It offers
 * what a benchmark needs (the address, the app's credentials, grants, what the world shows, the clock, request
 * counts); tests that switch faults on use the in-process `FakeTikTok`.
 */
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Observation, WorldSpec } from '../../core/simulate/world.ts';
import type { FakeTokenResponse, GrantOptions } from './grants.ts';
import type { ThreadCall } from './thread-main.ts';

type Call = ThreadCall extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

/** A fake TikTok running on its own thread. */
export class FakeTikTokThread {
  private readonly clockMs: Float64Array;
  private readonly pending = new Map<
    number,
    { resolve(value: unknown): void; reject(error: Error): void }
  >();
  private nextId = 0;

  private constructor(
    private readonly thread: Worker,
    clock: SharedArrayBuffer,
    /** Base URL, e.g. `http://127.0.0.1:41234`. */
    readonly url: string,
    /** The app's client key and secret. */
    readonly client: { key: string; secret: string },
  ) {
    this.clockMs = new Float64Array(clock);
    thread.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
      if (message.id === undefined) return;
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.result);
    });
  }

  /** Starts the thread on the world `spec` describes, its clock at `now`. */
  static async start(spec: WorldSpec, now: Date): Promise<FakeTikTokThread> {
    const clock = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT);
    new Float64Array(clock)[0] = now.getTime();
    const thread = new Worker(new URL('./thread-start.mjs', import.meta.url), {
      workerData: { spec, clock },
    });
    const ready = await new Promise<{ url: string; client: { key: string; secret: string } }>(
      (resolve, reject) => {
        thread.once('message', resolve);
        thread.once('error', reject);
      },
    );
    return new FakeTikTokThread(thread, clock, ready.url, ready.client);
  }

  /** How busy the fake's thread has been (answering requests, and building the world at first). */
  busy(since?: EventLoopUtilization): EventLoopUtilization {
    return this.thread.performance.eventLoopUtilization(since);
  }

  /** Sets the simulated instant the fake shows. */
  setNow(now: Date): void {
    this.clockMs[0] = now.getTime();
  }

  /** A full grant for `accountId`, as `FakeTikTok.issueGrant` gives. */
  async issueGrant(accountId: string, options?: GrantOptions): Promise<FakeTokenResponse> {
    const [grant] = await this.issueGrants([{ accountId, ...(options ? { options } : {}) }]);
    return grant as FakeTokenResponse;
  }

  /** Grants for several accounts in one call. */
  issueGrants(
    grants: Array<{ accountId: string; options?: GrantOptions }>,
  ): Promise<FakeTokenResponse[]> {
    return this.call<FakeTokenResponse[]>({ method: 'issueGrants', grants });
  }

  /** What the world shows of each account at `at`, as the fake serves it. */
  observe(accountIds: string[], at: Date): Promise<Observation[]> {
    return this.call<Observation[]>({ method: 'observe', accountIds, atMs: at.getTime() });
  }

  /** Requests answered so far, by path. */
  async requestsServed(): Promise<Map<string, number>> {
    return new Map(await this.call<Array<[string, number]>>({ method: 'requestsServed' }));
  }

  /** Stops the server and the thread. */
  async close(): Promise<void> {
    await this.call({ method: 'close' });
    await this.thread.terminate();
  }

  private call<T>(call: Call): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.thread.postMessage({ ...call, id });
    });
  }
}
