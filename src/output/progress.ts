import type { ScheduleEvent } from '../schedule/scheduler.ts';

// On a TTY: one line, rewritten in place, saying how far the cycle is.

export function progressLine(total: number, write: (s: string) => void) {
  const running = new Set<number>();
  let done = 0;
  let failed = 0;
  return {
    onEvent(e: ScheduleEvent) {
      if (e.type === 'start') running.add(e.index);
      else {
        running.delete(e.index); // also a retry: it is pending again until it starts
        if (e.result) {
          done++;
          if (e.result.status === 'failure') failed++;
        }
      }
      write(`\r\x1b[K${done}/${total} tests done, ${running.size} running${failed ? `, ${failed} failed` : ''}`);
    },
    clear: () => write('\r\x1b[K'),
  };
}
