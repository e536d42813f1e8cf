import type { Pushgateway } from '../push/pushgateway.ts';
import { readGatewayState } from '../push/previous-results.ts';
import { PAIR_METRICS } from '../metrics/names.ts';
import { BaselineError } from '../errors/baseline-error.ts';
import type { Baseline } from './floors.ts';

// The baseline as the Pushgateway holds it before this run: each pair's last pushed bandwidth (what the
// CronJob measured last time). Read before the cycle, so a `verify --push` never compares with itself.

export async function pushgatewayBaseline(gw: Pushgateway, job: string, url: string): Promise<Baseline> {
  try {
    const state = await readGatewayState(gw.samples(), job);
    const out = new Map<string, number>();
    for (const [k, p] of state.previous) {
      const v = p.values[PAIR_METRICS.bandwidth.name];
      if (v !== undefined && v > 0) out.set(k, v);
    }
    return out;
  } catch (e) {
    throw new BaselineError('read the baseline from the Pushgateway', url, (e as Error).message, { cause: e });
  }
}
