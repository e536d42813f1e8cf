import { isIPv6 } from 'node:net';
import type { Server } from './types.ts';

// A server's address as people and URLs write it: 10.0.0.3:5201, [fd00::3]:5201.

export function endpoint(server: Pick<Server, 'ip' | 'port'>): string {
  return isIPv6(server.ip) ? `[${server.ip}]:${server.port}` : `${server.ip}:${server.port}`;
}
