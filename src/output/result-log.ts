import type { Logger } from 'pino';
import type { PairResult } from '../model/types.ts';
import { pairNetwork } from '../model/network.ts';

// One log line per finished test: info for a success with its numbers, warn for a failure with its
// reason, info for a skip.

export function logResult(log: Logger, result: PairResult): void {
  const { pair } = result;
  const base = {
    source_node: pair.source.node,
    destination_node: pair.destination.node,
    protocol: pair.protocol,
    network: pairNetwork(pair),
    attempts: result.attempts,
    duration_s: result.finishedAt > 0 ? (result.finishedAt - result.startedAt) / 1000 : 0,
  };
  switch (result.status) {
    case 'success': {
      const { measurement } = result;
      const numbers = {
        bandwidth_mbps: round(measurement.bandwidthMbps),
        ...(measurement.jitterMs !== undefined ? { jitter_ms: round(measurement.jitterMs) } : {}),
        ...(measurement.lostPackets !== undefined ? { lost_packets: measurement.lostPackets, packets: measurement.packets } : {}),
        ...(measurement.retransmits !== undefined ? { retransmits: measurement.retransmits } : {}),
      };
      log.info({ ...base, ...numbers }, 'test succeeded');
      return;
    }
    case 'failure':
      log.warn({ ...base, reason: result.failure.kind, error: result.failure.message }, 'test failed');
      return;
    case 'skipped':
      log.info({ ...base, skipped: result.skipped, ...(result.message ? { reason: result.message } : {}) }, 'test skipped');
  }
}

const round = (value: number) => Math.round(value * 1000) / 1000;
