import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTransport } from '../../../adapters/tiktok/node-transport.ts';

let server: Server;
let base: URL;
const seen: Array<{ method: string; url: string; body: string; headers: Record<string, unknown> }> =
  [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        body,
        headers: request.headers,
      });
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      if (path === '/json') {
        response.writeHead(200, { 'content-type': 'application/json', 'x-many': ['a', 'b'] });
        response.end(JSON.stringify({ echo: body }));
      } else if (path === '/gzip') {
        response.writeHead(200, { 'content-encoding': 'gzip' });
        response.end(gzipSync('zipped ✓'));
      } else if (path === '/br') {
        response.writeHead(200, { 'content-encoding': 'br' });
        response.end(brotliCompressSync('brotli ✓'));
      } else if (path === '/see-other') {
        response.writeHead(303, { location: '/json?after=redirect' });
        response.end();
      } else if (path === '/loop') {
        response.writeHead(302, { location: '/loop' });
        response.end();
      } else if (path === '/stall') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('the start, then nothing');
      } else {
        response.writeHead(404);
        response.end('not here');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('node transport', () => {
  it('should send the method, headers and body and read status, headers and text', async () => {
    // Act
    const response = await nodeTransport(new URL('/json?x=1', base), {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"max_count":20}',
    });
    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-many')).toBe('a, b');
    expect(JSON.parse(await response.text())).toEqual({ echo: '{"max_count":20}' });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/json?x=1',
      headers: { authorization: 'Bearer t', 'content-length': '16' },
    });
  });

  it('should decode gzip and Brotli bodies', async () => {
    // Act
    const zipped = await nodeTransport(new URL('/gzip', base), { method: 'GET' });
    const brotli = await nodeTransport(new URL('/br', base), { method: 'GET' });
    // Assert
    expect(await zipped.text()).toBe('zipped ✓');
    expect(await brotli.text()).toBe('brotli ✓');
  });

  it('should follow a 303 as a GET without the body, and stop after five redirects', async () => {
    // Act
    const followed = await nodeTransport(new URL('/see-other', base), {
      method: 'POST',
      body: 'form=1',
    });
    const afterRedirect = seen.at(-1);
    const before = seen.length;
    const looping = await nodeTransport(new URL('/loop', base), { method: 'GET' });
    // Assert
    expect(followed.status).toBe(200);
    expect(afterRedirect).toMatchObject({ method: 'GET', url: '/json?after=redirect', body: '' });
    expect(looping.status).toBe(302);
    expect(seen.length - before).toBe(6);
  });

  it('should answer other statuses as they are', async () => {
    // Act
    const response = await nodeTransport(new URL('/missing', base), { method: 'GET' });
    // Assert
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('not here');
  });

  it('should stop a stalled body at the signal with its reason', async () => {
    // Arrange
    const response = await nodeTransport(new URL('/stall', base), {
      method: 'GET',
      signal: AbortSignal.timeout(200),
    });
    // Act / Assert
    await expect(response.text()).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('should refuse at once when the signal has already aborted, and fail on a closed port', async () => {
    // Arrange
    const controller = new AbortController();
    controller.abort();
    // Act / Assert
    await expect(
      nodeTransport(new URL('/json', base), { method: 'GET', signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    await expect(
      nodeTransport(new URL('http://127.0.0.1:9/'), { method: 'GET' }),
    ).rejects.toThrow();
  });
});
