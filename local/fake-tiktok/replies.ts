/** Complete HTTP answers of the fake TikTok (simulated and replayed), and how they are sent. */
import type { ServerResponse } from 'node:http';
import { envelope, researchJson } from './shapes.ts';

/** A complete response, to be sent as is. */
export interface Reply {
  status: number;
  contentType: 'application/json; charset=utf-8' | 'text/html; charset=utf-8';
  body: string;
  headers?: Record<string, string>;
}

/** A JSON answer. */
export function json(status: number, body: unknown): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

/** A Research API answer: the v2 envelope with 64-bit ids as bare numbers. */
export function researchReply(data: object): Reply {
  return {
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: researchJson(envelope(data)),
  };
}

/** An HTML answer. */
export function html(status: number, body: string): Reply {
  return { status, contentType: 'text/html; charset=utf-8', body };
}

/** Writes `reply` to `response`. */
export function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, { 'content-type': reply.contentType, ...reply.headers });
  response.end(reply.body);
}
