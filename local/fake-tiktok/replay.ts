/**
 * A TikTok that replays captured answers instead of a simulated world: `DIR/<url path without the leading
 * slash>/<n>.json` (or `.html`) answers the n-th request to that path, whatever the method and query string; the
 * last file repeats; `<n>.status`, when present, holds the HTTP status (default 200). A path with no files
 * answers 404 with TikTok's error envelope, naming the file it looked for.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve, sep } from 'node:path';
import { html, json, type Reply, send } from './replies.ts';
import { envelope } from './shapes.ts';

/** A running replay server on 127.0.0.1. */
export class ReplayTikTok {
  private readonly served = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    /** Base URL, e.g. `http://127.0.0.1:41234`. */
    readonly url: string,
  ) {}

  /**
   * Serves the captures under `dir` on `port` (default: a free port).
   * @throws Error when `dir` is not a directory.
   */
  static async start(dir: string, port = 0): Promise<ReplayTikTok> {
    const root = resolve(dir);
    if (!existsSync(root) || !(await isDirectory(root))) {
      throw new Error(`${dir} is not a directory of captured answers`);
    }
    let replay: ReplayTikTok | undefined;
    const server = createServer((request, response) => {
      // The body is not needed: answers depend on the path and the request's rank only.
      request.resume();
      request.on('end', () => {
        replay?.answer(request.url ?? '/').then(
          (reply) => send(response, reply),
          (error: unknown) =>
            send(response, json(500, envelope({}, 'internal_error', String(error)))),
        );
      });
    });
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', done);
    });
    const { port: bound } = server.address() as AddressInfo;
    replay = new ReplayTikTok(server, root, `http://127.0.0.1:${bound}`);
    return replay;
  }

  /** Requests answered so far, by path. */
  requestsServed(): Map<string, number> {
    return new Map(this.served);
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done, fail) =>
      this.server.close((error) => (error ? fail(error) : done())),
    );
  }

  private async answer(requestUrl: string): Promise<Reply> {
    const path = new URL(requestUrl, 'http://replay').pathname;
    const rank = (this.served.get(path) ?? 0) + 1;
    this.served.set(path, rank);
    const folder = resolve(this.dir, decodeURIComponent(path).replace(/^\/+/, ''));
    // A path that climbs out of the captures' folder answers nothing from outside it.
    if (folder !== this.dir && !folder.startsWith(this.dir + sep)) {
      return json(404, envelope({}, 'invalid_params', `no captures for ${path}`));
    }
    const capture = await captureFor(folder, rank);
    if (!capture) {
      const wanted = relative(this.dir, join(folder, `${rank}.json`));
      return json(
        404,
        envelope({}, 'invalid_params', `no captures for ${path} (looked for ${wanted})`),
      );
    }
    const body = await readFile(join(folder, capture.file), 'utf8');
    const status = await statusOf(join(folder, `${capture.n}.status`));
    return capture.file.endsWith('.html') ? html(status, body) : { ...json(status, null), body };
  }
}

/** The capture answering the `rank`-th request in `folder`: file `rank`, else the last one. */
async function captureFor(
  folder: string,
  rank: number,
): Promise<{ n: number; file: string } | undefined> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return undefined;
  }
  const captures = names
    .map((file) => ({ file, match: /^(\d+)\.(json|html)$/.exec(file) }))
    .flatMap(({ file, match }) => (match ? [{ n: Number(match[1]), file }] : []))
    .sort((a, b) => a.n - b.n);
  return captures.find((capture) => capture.n === rank) ?? captures.findLast((c) => c.n < rank);
}

/** The HTTP status in a `.status` file, 200 without one. */
async function statusOf(file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 200;
  }
  const status = Number(text.trim());
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new Error(`${file}: not an HTTP status (${text.trim()})`);
  }
  return status;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    await readdir(path);
    return true;
  } catch {
    return false;
  }
}
