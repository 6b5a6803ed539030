/** The request and response the pages see, and the shape of a route: what every route file shares. */
import type { SubscriptionDeps } from '../deps.ts';
import type { FormSession } from './forms.ts';

/** An HTTP request as the pages see it. */
export interface WebRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body as text. */
  body: string;
  /** The body's size in bytes as received (before any decoding). */
  bodyBytes: number;
  sourceIp: string;
  cookies: Record<string, string>;
}

/** An HTTP response. */
export interface WebResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** `Set-Cookie` values. */
  cookies: string[];
}

/** What a route works with: the ports, the request, and the browser's form session. */
export interface RouteContext {
  deps: SubscriptionDeps;
  request: WebRequest;
  forms: FormSession;
}

/** One method of one path. */
export type Route = (context: RouteContext) => Promise<WebResponse>;
