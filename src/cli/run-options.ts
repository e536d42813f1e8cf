import type { Argv } from 'yargs';
import { INTERFERENCE_MODES, LOG_LEVELS, MODES, OUTPUTS, oneOf } from '../config/run-config.ts';

// The `run` command's options: the one place argv is described. Every option can also come from
// IPERF3_MONITOR_<NAME> (see argv-env.ts). Validation lives in config/run-config.ts.

export const DEFAULT_SELECTOR = 'app.kubernetes.io/name=iperf3-monitor,app.kubernetes.io/component=server';

/**
 * Number options: shown as [number] with their default, but handed over as the text given (yargs
 * keeps an option that is also a string as text), so that a bad value is quoted back exactly.
 */
const NUMBER_OPTIONS = [
  'concurrency',
  'deadline',
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
];

const number = (group: string, defaultValue: number, describe: string) =>
  ({ type: 'number', requiresArg: true, group, default: defaultValue, describe }) as const;
const text = (group: string, describe: string, defaultValue?: string) =>
  ({ type: 'string', requiresArg: true, group, describe, ...(defaultValue !== undefined ? { default: defaultValue } : {}) }) as const;
const choice = <T extends string>(flag: string, group: string, choices: readonly T[], defaultValue: T, describe: string) =>
  ({
    type: 'string',
    requiresArg: true,
    group,
    choices,
    default: defaultValue,
    describe,
    coerce: (value: string) => oneOf(flag, value, choices),
  }) as const;

export function runOptions<T>(parser: Argv<T>) {
  return pushOptions(iperfOptions(scheduleOptions(clientOptions(discoveryOptions(parser)))))
    .option('output', choice('output', 'Output:', OUTPUTS, 'table', 'table: matrix on stdout; json: one document with every result; none'))
    .option('dry-run', {
      type: 'boolean',
      group: 'Output:',
      default: false,
      describe: 'Discover and print the planned tests in plan order; test nothing',
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
    .option('targets', text(group, 'Static targets: a JSON or YAML list of {node, ip, port?}. No Kubernetes is used.'))
    .option('namespace', text(group, 'Namespace of the server pods [default: the service account\'s namespace, else "default"]'))
    .option('all-namespaces', { type: 'boolean', group, describe: 'Discover server pods in every namespace (needs a ClusterRole)' })
    .option('selector', text(group, 'Label selector of the server pods', DEFAULT_SELECTOR))
    .option('kubeconfig', text(group, 'Kubeconfig file [default: $KUBECONFIG, else ~/.kube/config, else in-cluster]'))
    .option('server-container', text(group, "Container to exec into in mesh mode [default: the pod's first container]"));
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
    .option('iperf3', text(group, 'The iperf3 binary (star mode runs it locally; pods/exec runs it in the server pod)', 'iperf3'));
}

function scheduleOptions<T>(parser: Argv<T>) {
  const group = 'Schedule:';
  const deadline = `Seconds after start by which the cycle must end: no test starts that cannot finish, \
running ones are stopped, results are pushed (0: none)`;
  const interference = `Full-duplex readings that look corrupted by another test's traffic (a node sending while it \
receives): retest them alone in the same cycle, mark them, or do not check (off)`;
  const maxPairs = 'Tests per run at most, least recently tested first: every pair is covered within ⌈pairs/max⌉ runs (0: all)';
  const busyRetries = `Retries, with backoff (1 s, 2 s, 4 s, 8 s, …), of a test whose server is busy with another client, \
refuses the connection (restarting) or resets it`;
  return parser
    .option('concurrency', number(group, 8, 'Tests in flight at most (never two into one server or out of one node)'))
    .option('exclusive', {
      type: 'boolean',
      group,
      default: false,
      describe: 'One test per node at a time instead of full duplex (send one, receive one)',
    })
    .option('deadline', number(group, 0, deadline))
    .option('interference', choice('interference', group, INTERFERENCE_MODES, 'retest', interference))
    .option('max-retests', number(group, 0, 'Re-tests of suspected readings per cycle at most (0: up to half of the tests)'))
    .option(
      'interference-tolerance',
      number(group, 2.5, 'Percent below the best other readings of its two ends at which a reading is suspected'),
    )
    .option('max-pairs', number(group, 0, maxPairs))
    .option('busy-retries', number(group, 3, busyRetries));
}

function iperfOptions<T>(parser: Argv<T>) {
  const group = 'iperf3:';
  return parser
    .option('protocols', text(group, 'Comma-separated: tcp, udp or both', 'tcp'))
    .option('duration', number(group, 5, 'Seconds per test (iperf3 -t)'))
    .option('omit', number(group, 1, 'Seconds of each test not counted, for TCP slow start (iperf3 -O)'))
    .option('parallel', number(group, 1, 'Parallel streams per test (iperf3 -P)'))
    .option('udp-bitrate', text(group, 'UDP send rate in bits/s (iperf3 -b), e.g. 500M, 1G', '100M'))
    .option('port', number(group, 5201, 'Server port (static targets may set their own)'))
    .option('connect-timeout', number(group, 3, 'Seconds to wait for the control connection (iperf3 --connect-timeout)'));
}

function pushOptions<T>(parser: Argv<T>) {
  const group = 'Push:';
  const maxResultAge = 'Seconds a result of a pair not tested in this run stays in the Pushgateway (dropped sooner if its node is gone)';
  return parser
    .option('pushgateway', text(group, 'Pushgateway URL; one group per source node {job, source_node} [default: do not push]'))
    .option('job', text(group, 'The job label of the pushed groups', 'iperf3-monitor'))
    .option('push-timeout', number(group, 10, 'Seconds a Pushgateway request may stay idle'))
    .option('push-retries', number(group, 3, 'Retries of a Pushgateway request on network errors and 5xx'))
    .option('max-result-age', number(group, 3600, maxResultAge))
    .option('pushgateway-username', text(group, 'Basic auth user'))
    .option('pushgateway-password', text(group, 'Basic auth password (prefer the env var or the -file option)'))
    .option('pushgateway-password-file', text(group, 'File holding the basic auth password'))
    .option('pushgateway-token', text(group, 'Bearer token (prefer the env var or the -file option)'))
    .option('pushgateway-token-file', text(group, 'File holding a bearer token'))
    .option('pushgateway-ca-file', text(group, 'CA bundle (PEM) that signs the Pushgateway certificate'));
}
