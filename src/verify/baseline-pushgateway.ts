import type { Pushgateway } from '../push/pushgateway.ts';
import { readGatewayState } from '../push/previous-results.ts';
import { PAIR_METRICS } from '../metrics/names.ts';
import { BaselineError } from '../errors/baseline-error.ts';
import type { Baseline } from './floors.ts';

// The baseline as the Pushgateway holds it before this run: each pair's last pushed bandwidth (what the
// CronJob measured last time). Read before the cycle, so a `verify --push` never compares with itself.

export async function pushgatewayBaseline(gateway: Pushgateway, job: string, url: string): Promise<Baseline> {
  try {
    const state = await readGatewayState(gateway.samples(), job);
    const baseline = new Map<string, number>();
    for (const [key, pair] of state.previous) {
      const mbps = pair.values[PAIR_METRICS.bandwidth.name];
      if (mbps !== undefined && mbps > 0) baseline.set(key, mbps);
    }
    return baseline;
  } catch (error) {
    throw new BaselineError('read the baseline from the Pushgateway', url, (error as Error).message, { cause: error });
  }
}
