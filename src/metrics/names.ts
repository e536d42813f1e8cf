// Metric names and help texts: a public contract (dashboards and alerts query them). Per-pair
// metrics carry source_node, destination_node, protocol and network ("host" or "pod": which server
// pair was tested, always present); run metrics carry none (their Pushgateway group is {job} alone).

export const PAIR_LABELS = ['source_node', 'destination_node', 'protocol', 'network'] as const;

export const PAIR_METRICS = {
  bandwidth: { name: 'iperf_network_bandwidth_mbps', help: 'Receiver goodput of the last successful test, in Mbit/s.' },
  jitter: { name: 'iperf_network_jitter_ms', help: 'UDP jitter seen by the receiver in the last successful test, in milliseconds.' },
  packets: {
    name: 'iperf_network_packets_total',
    help: 'UDP datagrams sent in the last successful test (a gauge; the name is kept for compatibility).',
  },
  lostPackets: {
    name: 'iperf_network_lost_packets_total',
    help: 'UDP datagrams lost in the last successful test (a gauge; the name is kept for compatibility).',
  },
  retransmits: { name: 'iperf_network_tcp_retransmits', help: 'TCP retransmissions by the sender in the last successful test.' },
  rtt: {
    name: 'iperf_network_tcp_rtt_seconds',
    help: 'Mean TCP round-trip time reported by the sender in the last successful test, in seconds.',
  },
  retested: {
    name: 'iperf_test_retested',
    help: '1 if the last TCP reading of this path is a re-test alone, made because the full-duplex reading was suspected of interference.',
  },
  suspect: {
    name: 'iperf_test_interference_suspected',
    help: '1 if the last TCP reading of this path is suspected of interference from another test and was not re-tested.',
  },
  success: {
    name: 'iperf_test_success',
    help: '1 if the last test of this path succeeded, 0 if it failed (a failed test has no bandwidth sample).',
  },
  duration: { name: 'iperf_test_duration_seconds', help: 'Wall time of the last test of this path, in seconds.' },
  timestamp: { name: 'iperf_test_timestamp_seconds', help: 'Unix time at which the last test of this path ended.' },
} as const;

export const RUN_METRICS = {
  duration: { name: 'iperf_run_duration_seconds', help: 'Wall time of the last test cycle, in seconds.' },
  pairs: { name: 'iperf_run_pairs', help: 'Tests of the last cycle by outcome (success, failure, skipped).' },
  servers: { name: 'iperf_run_servers_discovered', help: 'iperf3 servers found by the last cycle.' },
  timestamp: { name: 'iperf_run_timestamp_seconds', help: 'Unix time at which the last cycle ended.' },
  buildInfo: {
    name: 'iperf3_monitor_build_info',
    help: 'Always 1; its labels say which runner pushed the last cycle (version, source revision, Node.js version).',
  },
  skipped: {
    name: 'iperf_test_skipped',
    help:
      '1 for each path the last cycle planned but did not test, by reason: destination-down or source-down (an end judged down ' +
      'on evidence in this cycle), deadline, aborted. Its iperf_test_* series keep their earlier values and timestamp.',
  },
  suspected: {
    name: 'iperf_run_interference_suspected',
    help: 'Readings of the last cycle suspected of interference from another test (full duplex), re-tested or not.',
  },
  retests: { name: 'iperf_run_retests', help: 'Suspected readings of the last cycle that were re-tested alone.' },
  carried: {
    name: 'iperf_run_results_carried',
    help: 'Results of earlier cycles kept in the Pushgateway because their path was not tested in the last cycle (pair budget, deadline).',
  },
} as const;

/** In the run group too, when the run knows them: the cycle it can do and the coverage after it. */
export const CYCLE_METRICS = {
  concurrency: {
    name: 'iperf_cycle_concurrency',
    help: 'Tests in flight at most in the last cycle (never above the collision-free parallelism).',
  },
  testsPerRun: { name: 'iperf_cycle_tests_per_run', help: 'Tests one run can do with its deadline, concurrency and pair budget.' },
  runsToCover: { name: 'iperf_cycle_runs_to_cover', help: 'Runs within which every pair is measured: ceil(pairs / tests per run).' },
  coveragePeriod: {
    name: 'iperf_cycle_coverage_period_seconds',
    help: 'Seconds within which every pair is measured: runs to cover times the run interval (or the run time).',
  },
  zoneRunsToCover: {
    name: 'iperf_cycle_zone_runs_to_cover',
    help: 'The zoned plan (--cross-zone-share): runs within which every in-zone (pairs="in_zone") or cross-zone pair is measured.',
  },
  zoneCoveragePeriod: {
    name: 'iperf_cycle_zone_coverage_period_seconds',
    help: 'The zoned plan: seconds within which every in-zone (pairs="in_zone") or cross-zone pair is measured.',
  },
  coveragePairs: { name: 'iperf_coverage_pairs', help: 'Pairs (per protocol) the last cycle planned.' },
  coverageUnmeasured: {
    name: 'iperf_coverage_pairs_unmeasured',
    help: 'Planned pairs with no result in the Pushgateway after the last cycle (never measured, or expired).',
  },
  coverageRatio: {
    name: 'iperf_coverage_measured_ratio',
    help: 'Share of the planned pairs measured within the last coverage period, 0 to 1.',
  },
  coverageOldest: {
    name: 'iperf_coverage_oldest_result_age_seconds',
    help: 'Age of the oldest pair result in the Pushgateway at the end of the last cycle, in seconds.',
  },
} as const;
