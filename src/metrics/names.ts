// Metric names and help texts: a public contract (dashboards and alerts query them). Per-pair
// metrics carry source_node, destination_node, protocol; run metrics carry none (their Pushgateway
// group is {job} alone).

export const PAIR_LABELS = ['source_node', 'destination_node', 'protocol'] as const;

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
