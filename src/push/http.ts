// The little HTTP the Pushgateway client needs, as a type: the real one (node:http, see
// cli/push-transport.ts) is passed in, so tests can point the client at any local server.

export interface HttpResponse {
  status: number;
  ok: boolean;
  text(): Promise<string>;
  /** The body as a byte stream, for responses too large to hold as one string. */
  body: AsyncIterable<Uint8Array>;
}

export interface HttpRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** Fails the request with a TimeoutError when the connection is idle this long (connect, answer or body). */
  idleTimeoutMs: number;
}

export type Http = (url: string, request: HttpRequest) => Promise<HttpResponse>;
