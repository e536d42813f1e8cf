import type { Argv } from 'yargs';
import { INTERFERENCE_MODES, LOG_LEVELS, MODES, oneOf } from '../config/run-config.ts';
import { choice, number, text } from './option-kinds.ts';
import { PAIR_SERIES } from '../config/pair-series.ts';

// The `run` command's options: the one place argv is described. Every option can also come from
// IPERF3_MONITOR_<NAME> (see argv-env.ts). Validation lives in config/run-config.ts.

export const DEFAULT_SELECTOR = 'app.kubernetes.io/name=iperf3-monitor,app.kubernetes.io/component=server';

/**
 * Number options: shown as [number] with their default, but handed over as the text given (yargs
 * keeps an option that is also a string as text), so that a bad value is quoted back exactly.
 */
const NUMBER_OPTIONS = [
  'deadline',
  'run-interval',
  'max-pairs',
  'max-retests',
  'interference-tolerance',
  'duration',
  'omit',
  'parallel',
  'port',
  'connect-timeout',
  'busy-retries',
  'max-result-age',
  'push-timeout',
  'push-retries',
  'push-deadline',
  'lease-wait',
  'lease-duration',
];

export function runOptions<T>(parser: Argv<T>) {
  return pushOptions(authOptions(iperfOptions(scheduleOptions(clientOptions(discoveryOptions(parser))))))
    .option('output', {
      type: 'array',
      string: true,
      requiresArg: true,
      group: 'Output:',
      default: 'table',
      describe: `table: matrix on stdout; json: one document with every result; \
html FILE: a self-contained page with the colour matrix (no network fetches); none`,
    })
    .option('dry-run', {
      type: 'boolean',
      group: 'Output:',
      default: false,
      describe:
        'Discover and print the tests the run would make, in its order (--max-pairs, the zoned plan, least recently ' +
        'measured first when the Pushgateway can be read, where --deadline stops it); test and push nothing',
    })
    .option(
      'log-level',
      choice(
        'log-level',
        'Output:',
        LOG_LEVELS,
        'info',
        'Logs go to stderr; a terminal showing the table gets warnings only unless this is set',
      ),
    )
    .string(NUMBER_OPTIONS);
}

function discoveryOptions<T>(parser: Argv<T>) {
  const group = 'Discovery:';
  return parser
    .option(
      'targets',
      text(
        group,
        'Static targets: a JSON or YAML list of {node, ip, port?, network?} (network: host or pod, default host). No Kubernetes is used.',
      ),
    )
    .option('namespace', text(group, 'Namespace of the server pods [default: the service account\'s namespace, else "default"]'))
    .option('all-namespaces', { type: 'boolean', group, describe: 'Discover server pods in every namespace (needs a ClusterRole)' })
    .option(
      'selector',
      text(
        group,
        'Label selector of the server pods, equality- or set-based ' +
          '(e.g. "…,app.kubernetes.io/component in (server,server-pod)" for both networks); ' +
          'a pod with hostNetwork is a host-network server, any other a pod-network one',
        DEFAULT_SELECTOR,
      ),
    )
    .option('kubeconfig', text(group, 'Kubeconfig file [default: $KUBECONFIG, else ~/.kube/config, else in-cluster]'))
    .option('server-container', text(group, "Container to exec into in mesh mode [default: the pod's first container]"))
    .option('node-zones', {
      type: 'boolean',
      group,
      describe:
        'Read Nodes (needs cluster-scoped nodes get/list): zone labels on the pair series; cordoned, NotReady and deleting nodes skipped',
    });
}

function clientOptions<T>(parser: Argv<T>) {
  const group = 'Client:';
  const meshOrStar = 'mesh: every node is a source (all N×(N−1) pairs); star: only the node this runner is on';
  const clientCommand = `Mesh mode: how to run iperf3 on a source node, with {node} for its name, e.g. "ssh {node} iperf3" \
[default with Kubernetes: pods/exec into the node's server pod]`;
  return parser
    .option('mode', choice('mode', group, MODES, 'mesh', meshOrStar))
    .option('client-command', { type: 'string', group, describe: clientCommand })
    .option('source-node', text(group, 'Star mode: the node this runner is on [default: $SOURCE_NODE_NAME]'))
    .option('iperf3', text(group, 'The iperf3 binary (star mode runs it locally; pods/exec runs it in the server pod)', 'iperf3'))
    .option('bounded-client', {
      type: 'string',
      group,
      default: 'iperf3-bounded',
      describe: `pods/exec runs iperf3 under this helper of the images, which stops it when the exec stream closes \
or the test's time is up ("" runs iperf3 directly, e.g. in a server image without it)`,
    });
}

function scheduleOptions<T>(parser: Argv<T>) {
  const group = 'Schedule:';
  const deadline = `Seconds after start by which the cycle must end: no test starts that cannot finish, \
running ones are stopped, results are pushed (0: none)`;
  const interference = `Full-duplex readings that look corrupted by another test's traffic (a node sending while it \
receives): retest them alone in the same cycle, mark them, or do not check (off)`;
  const maxPairs = `Tests per run at most, least recently tested first (one skipped because an end is judged down is \
replaced by the next): every pair is covered within ⌈pairs/max⌉ runs (0: all)`;
  const concurrency = `Tests in flight at most, never two into one server or out of one node: auto (all the cluster \
allows, one out of and one into every node), a count (8) or a share of the nodes (25%); less load, longer coverage`;
  const crossZone = `With --node-zones, the big-cluster plan: whole rounds, this share (0–1) of them cross-zone, the rest inside \
the zones, each least recently measured first; the run logs and exports the runs within which every in-zone and every \
cross-zone pair is measured (guaranteed for zones of equal size) [default: one plan for all pairs]`;
  const runInterval = 'Seconds between runs (the CronJob schedule), for the coverage period the run logs and exports (0: unknown)';
  const busyRetries = `Retries, with backoff (1 s, 2 s, 4 s, 8 s, …), of a test whose server is busy with another client, \
refuses the connection (restarting) or resets it`;
  return parser
    .option('concurrency', text(group, concurrency, 'auto'))
    .option('exclusive', {
      type: 'boolean',
      group,
      default: false,
      describe: 'One test per node at a time instead of full duplex (send one, receive one)',
    })
    .option('deadline', number(group, deadline, 0))
    .option('run-interval', number(group, runInterval, 0))
    .option('cross-zone-share', text(group, crossZone))
    .option('interference', choice('interference', group, INTERFERENCE_MODES, 'retest', interference))
    .option('max-retests', number(group, 'Re-tests of suspected readings per cycle at most (0: up to half of the tests)', 0))
    .option(
      'interference-tolerance',
      number(group, 'Percent below the best other readings of its two ends at which a reading is suspected', 2.5),
    )
    .option('max-pairs', number(group, maxPairs, 0))
    .option('busy-retries', number(group, busyRetries, 3))
    .option(
      'lease',
      text(group, 'A coordination.k8s.io Lease held while the run runs: runs with the same Lease never overlap [default: none]'),
    )
    .option('lease-namespace', text(group, "The Lease's namespace [default: the discovery namespace, else the service account's]"))
    .option('lease-wait', number(group, 'Seconds to wait for another run to release the Lease; then exit 4 (0: exit 4 at once)', 0))
    .option('lease-duration', number(group, 'Seconds the Lease stays valid unrenewed (renewed every third of it while running)', 60));
}

function iperfOptions<T>(parser: Argv<T>) {
  const group = 'iperf3:';
  return parser
    .option('protocols', text(group, 'Comma-separated: tcp, udp or both', 'tcp'))
    .option('duration', number(group, 'Seconds per test (iperf3 -t)', 5))
    .option('omit', number(group, 'Seconds of each test not counted, for TCP slow start (iperf3 -O)', 1))
    .option('parallel', number(group, 'Parallel streams per test (iperf3 -P)', 1))
    .option('udp-bitrate', text(group, 'UDP send rate in bits/s (iperf3 -b), e.g. 500M, 1G', '100M'))
    .option('port', number(group, 'Server port (static targets may set their own)', 5201))
    .option('connect-timeout', number(group, 'Seconds to wait for the control connection (iperf3 --connect-timeout)', 3));
}

function authOptions<T>(parser: Argv<T>) {
  const group = 'iperf3 authentication:';
  const publicKey = `The servers' RSA public key (PEM) where the client runs (iperf3 --rsa-public-key-path); \
with pods/exec, a path in the server pod`;
  const passwordFile = `File holding the password; handed to iperf3 as IPERF3_PASSWORD, never on a command line \
[default: the client's own IPERF3_PASSWORD]`;
  return parser
    .option('auth-username', text(group, 'User name for servers that require iperf3 RSA authentication (iperf3 --username)'))
    .option('auth-public-key', text(group, publicKey))
    .option('auth-password-file', text(group, passwordFile));
}

function pushOptions<T>(parser: Argv<T>) {
  const group = 'Push:';
  const remoteWrite = `Prometheus remote-write URL (e.g. http://prometheus:9090/api/v1/write): send this run's results there, \
each sample at the time its test ended (scales past a Pushgateway)`;
  const pairSeries = `Where the per-pair series go: pushgateway; remote-write (the Pushgateway keeps only the O(N) run, coverage, \
sizing and per-node metrics; the next run reads the pairs' last measurements from --state-url); both \
[default: both with --remote-write, else pushgateway]`;
  const stateUrl = `With --pair-series remote-write: the PromQL query API that sees the receiver, for which pairs were measured \
when [default: --remote-write without /api/v1/write]`;
  const maxResultAge = 'Seconds a result of a pair not tested in this run stays in the Pushgateway (dropped sooner if its node is gone)';
  return parser
    .option('pushgateway', text(group, 'Pushgateway URL; one group per source node {job, source_node} [default: do not push]'))
    .option('job', text(group, 'The job label of the pushed groups', 'iperf3-monitor'))
    .option('push-timeout', number(group, 'Seconds a Pushgateway request may stay idle', 10))
    .option('push-retries', number(group, 'Retries of a Pushgateway request on network errors and 5xx', 3))
    .option(
      'push-deadline',
      number(group, 'Seconds the whole push may take (earlier results read, every PUT and DELETE, retries); then exit 1', 20),
    )
    .option('remote-write', text(group, remoteWrite))
    .option('pair-series', {
      type: 'string',
      requiresArg: true,
      group,
      choices: PAIR_SERIES,
      describe: pairSeries,
      coerce: (value: string) => oneOf('pair-series', value, PAIR_SERIES),
    })
    .option('state-url', text(group, stateUrl))
    .option('max-result-age', number(group, maxResultAge, 3600))
    .option('pushgateway-username', text(group, 'Basic auth user'))
    .option('pushgateway-password', text(group, 'Basic auth password (prefer the env var or the -file option)'))
    .option('pushgateway-password-file', text(group, 'File holding the basic auth password'))
    .option('pushgateway-token', text(group, 'Bearer token (prefer the env var or the -file option)'))
    .option('pushgateway-token-file', text(group, 'File holding a bearer token'))
    .option('pushgateway-ca-file', text(group, 'CA bundle (PEM) that signs the Pushgateway certificate'));
}
