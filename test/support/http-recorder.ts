// A real HTTP server on port 0 that records every request and answers through a handler the test
// supplies: for what the real component cannot be made to do here on demand (a Pushgateway answering
// 503 or stalling, a Kubernetes API answering 403).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

export interface HttpRecorder {
  url: string;
  requests: RecordedRequest[];
  handler: Handler;
  close(): Promise<void>;
}

export async function startRecorder(handler: Handler): Promise<HttpRecorder> {
  const rec: HttpRecorder = { url: '', requests: [], handler, close: async () => {} };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const r: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      rec.requests.push(r);
      rec.handler(r, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  rec.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  rec.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return rec;
}

/** Answers with a status and a text body. */
export function reply(status: number, body = '', type = 'text/plain'): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
}

/** Never answers (until the server is closed): a peer that accepted the connection and hangs. */
export const stall: Handler = () => {};
