import type { RunConfig } from '../config/run-config.ts';
import type { VerifyConfig } from '../verify/verify-config.ts';
import type { Baseline } from '../verify/floors.ts';
import { pushgatewayBaseline } from '../verify/baseline-pushgateway.ts';
import { prometheusBaseline } from '../verify/baseline-prometheus.ts';
import { nodeHttp, pushgatewayFor } from './push-transport.ts';

// The edge half of `verify`'s baseline: reads it from where the options say, with the real HTTP, before
// the cycle starts (a run that cannot read its baseline tests nothing).

export interface BaselineRead {
  baseline: Baseline;
  /** Where it came from, for the logs and the reports; undefined when no baseline was asked for. */
  source?: string;
}

/** Seconds a Prometheus query may stay idle. */
const PROMETHEUS_TIMEOUT_MS = 30_000;

export async function readBaseline(config: RunConfig, verify: VerifyConfig): Promise<BaselineRead> {
  const wanted = verify.baseline;
  if (wanted?.kind === 'pushgateway' && config.push) {
    const { url } = config.push;
    const baseline = await pushgatewayBaseline(pushgatewayFor(config.push), config.job, url);
    return { baseline, source: `last result in the Pushgateway ${url}` };
  }
  if (wanted?.kind === 'prometheus') {
    const { url, window } = wanted;
    const baseline = await prometheusBaseline({ url, job: config.job, window, timeoutMs: PROMETHEUS_TIMEOUT_MS, http: nodeHttp() });
    return { baseline, source: `median over ${window} in Prometheus ${url}` };
  }
  return { baseline: new Map() };
}
