import type { ScheduleEvent } from '../schedule/scheduler.ts';

// On a TTY: one line, rewritten in place, saying how far the cycle is.

export function progressLine(total: number, write: (s: string) => void) {
  let done = 0;
  let running = 0;
  let failed = 0;
  return {
    onEvent(e: ScheduleEvent) {
      if (e.type === 'start') running++;
      else {
        if (e.result) {
          if (e.result.startedAt > 0) running--;
          if (e.result.status !== 'skipped' || e.result.startedAt > 0) done++;
          if (e.result.status === 'failure') failed++;
        } else running--; // retried after "busy"
      }
      write(`\r\x1b[K${done}/${total} tests done, ${running} running${failed ? `, ${failed} failed` : ''}`);
    },
    clear: () => write('\r\x1b[K'),
  };
}
