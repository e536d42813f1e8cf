import type { ScheduleEvent } from '../schedule/scheduler.ts';

// On a TTY: one line, rewritten in place, saying how far the cycle is.

export function progressLine(total: number, write: (s: string) => void) {
  const running = new Set<number>();
  let done = 0;
  let failed = 0;
  return {
    onEvent(event: ScheduleEvent) {
      if (event.type === 'start') running.add(event.index);
      else {
        running.delete(event.index); // also a retry: it is pending again until it starts
        if (event.result) {
          done++;
          if (event.result.status === 'failure') failed++;
        }
      }
      write(`\r\x1b[K${done}/${total} tests done, ${running.size} running${failed ? `, ${failed} failed` : ''}`);
    },
    clear: () => write('\r\x1b[K'),
  };
}
