import { createServer } from 'node:net';

// A free TCP port on 127.0.0.1, for servers that cannot listen on port 0 and report the port they got
// (the Pushgateway). The tests' real services use the same function.

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
