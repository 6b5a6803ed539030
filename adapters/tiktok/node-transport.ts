/**
 * The HTTP transport the TikTok sources use by default: `node:http`/`node:https` with keep-alive agents, in the
 * shape of the `fetch` subset the sources call. Node's built-in `fetch` spends several times the CPU per
 * request (measured at about 0.6 ms against 0.1 ms for a small JSON answer, client and server together), and
 * a poll is several requests: on a Lambda function with a fraction of a vCPU that is billed time.
 *
 * What it does that `fetch` would: follows up to five redirects (303, and 301/302 after a POST, become a GET),
 * decodes gzip, deflate and Brotli bodies, and stops at the request's `signal` with an `AbortError` (or the
 * signal's own reason, e.g. a `TimeoutError`). Bodies above {@link MAX_BODY_BYTES} are refused.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** What a source sends: the subset of `fetch`'s init it uses. */
export interface TransportInit {
  method: string;
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** What a source reads back. */
export interface TransportResponse {
  status: number;
  headers: Headers;
  text(): Promise<string>;
}

/** A `fetch`-shaped function; the global `fetch` is one too (tests pass scripted ones). */
export type Transport = (url: URL, init: TransportInit) => Promise<TransportResponse>;

/** Largest body read, bytes: TikTok's web pages are a few hundred kilobytes, its API answers far less. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MAX_REDIRECTS = 5;

// One pool per process, shared by every source: connections to TikTok are reused across polls.
const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

/** Sends one request over `node:http(s)`; see the module comment. */
export const nodeTransport: Transport = async (url, init) => {
  let current = { url, init };
  for (let redirects = 0; ; redirects++) {
    const response = await send(current.url, current.init);
    const location = response.message.headers.location;
    if (!isRedirect(response.message.statusCode) || !location || redirects >= MAX_REDIRECTS) {
      return toResponse(response.message, current.init.signal);
    }
    response.message.resume();
    const status = response.message.statusCode as number;
    const becomesGet =
      status === 303 || ((status === 301 || status === 302) && init.method === 'POST');
    const { body: _body, ...withoutBody } = current.init;
    current = {
      url: new URL(location, current.url),
      init: becomesGet ? { ...withoutBody, method: 'GET' } : current.init,
    };
  }
};

function isRedirect(status: number | undefined): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function send(url: URL, init: TransportInit): Promise<{ message: IncomingMessage }> {
  const { signal } = init;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') {
    return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
  }
  const headers: Record<string, string> = {
    'accept-encoding': 'gzip, deflate, br',
    ...init.headers,
  };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(url, {
      method: init.method,
      headers,
      agent: agents[secure ? 'https:' : 'http:'],
    });
    const onAbort = () => request.destroy(abortError(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.once('response', (message) => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ message });
    });
    request.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? abortError(signal) : error);
    });
    request.end(init.body);
  });
}

function toResponse(message: IncomingMessage, signal: AbortSignal | undefined): TransportResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  let body: Promise<string> | undefined;
  return {
    status: message.statusCode ?? 0,
    headers,
    text: () => {
      body ??= readBody(message, signal);
      return body;
    },
  };
}

/** Reads the whole body, decoded, under the request's signal. */
function readBody(message: IncomingMessage, signal: AbortSignal | undefined): Promise<string> {
  const encoding = String(message.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  const stream = decoder ? message.pipe(decoder) : message;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // Rejected first: tearing the stream down emits events that would report a lesser cause.
      reject(error);
      message.destroy();
      decoder?.destroy();
    };
    const onAbort = () => fail(abortError(signal));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) fail(new RangeError(`body over ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    stream.once('error', fail);
    message.once('aborted', () => fail(new Error('the connection closed mid-body')));
    stream.once('end', () => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** The signal's reason when it is an error (a `TimeoutError` from `AbortSignal.timeout`), else an AbortError. */
function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}
