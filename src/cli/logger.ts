import { pino, type Logger } from 'pino';

// Logs go to stderr (stdout carries the table or the JSON report): JSON lines for log collectors,
// pretty lines on a terminal. Synchronous writes: a short-lived runner must not lose its last lines.
// pino-pretty runs as a stream, not a worker transport, so it works inside the single-file bundle.

export async function createLogger(requested: string, stream: NodeJS.WriteStream & { fd?: number }): Promise<Logger> {
  const fd = stream.fd ?? 2;
  // An unknown level is reported by config validation (exit 2); the logger must not crash first.
  const level = requested in pino.levels.values || requested === 'silent' ? requested : 'info';
  const opts = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (stream.isTTY) {
    const { default: pretty } = await import('pino-pretty');
    return pino(opts, pretty({ destination: fd, colorize: true, sync: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' }));
  }
  return pino(opts, pino.destination({ dest: fd, sync: true }));
}
