import type { Argv } from 'yargs';

// The `run` command's options: the one place argv and environment are read. Every option can also
// come from IPERF3_MONITOR_<NAME> (e.g. IPERF3_MONITOR_PUSHGATEWAY). Numbers are taken as strings
// so that a bad value is quoted back exactly as given (validation lives in config/run-config.ts).

export const DEFAULT_SELECTOR = 'app.kubernetes.io/name=iperf3-monitor,app.kubernetes.io/component=server';

export function runOptions<T>(y: Argv<T>) {
  return y
    .option('targets', { type: 'string', requiresArg: true, group: 'Discovery:', describe: 'Static targets: a JSON or YAML list of {node, ip, port?}. No Kubernetes is used.' })
    .option('namespace', { type: 'string', requiresArg: true, group: 'Discovery:', describe: "Namespace of the server pods [default: the service account's namespace, else \"default\"]" })
    .option('all-namespaces', { type: 'boolean', group: 'Discovery:', describe: 'Discover server pods in every namespace (needs a ClusterRole)' })
    .option('selector', { type: 'string', requiresArg: true, group: 'Discovery:', default: DEFAULT_SELECTOR, describe: 'Label selector of the server pods' })
    .option('kubeconfig', { type: 'string', requiresArg: true, group: 'Discovery:', describe: 'Kubeconfig file [default: in-cluster, else $KUBECONFIG or ~/.kube/config]' })
    .option('server-container', { type: 'string', requiresArg: true, group: 'Discovery:', describe: "Container to exec into in mesh mode [default: the pod's first container]" })
    .option('mode', {
      type: 'string',
      group: 'Client:',
      default: 'mesh',
      describe: 'mesh: every node is a source (all N×(N−1) pairs); star: only the node this runner is on',
    })
    .option('client-command', {
      type: 'string',
      group: 'Client:',
      describe: 'Mesh mode: how to run iperf3 on a source node, with {node} for its name, e.g. "ssh {node} iperf3" [default with Kubernetes: pods/exec into the node\'s server pod]',
    })
    .option('source-node', { type: 'string', requiresArg: true, group: 'Client:', describe: 'Star mode: the node this runner is on [default: $SOURCE_NODE_NAME]' })
    .option('iperf3', { type: 'string', requiresArg: true, group: 'Client:', default: 'iperf3', describe: 'The iperf3 binary (star mode runs it locally; pods/exec runs it in the server pod)' })
    .option('bounded-client', {
      type: 'string',
      group: 'Client:',
      default: 'iperf3-bounded',
      describe: 'pods/exec runs iperf3 under this helper of the images, which stops it when the exec stream closes or the test\'s time is up ("" runs iperf3 directly, e.g. in a server image without it)',
    })
    .option('concurrency', { type: 'string', requiresArg: true, group: 'Schedule:', default: '8', describe: 'Tests in flight at most (never two into one server or out of one node)' })
    .option('exclusive', { type: 'boolean', group: 'Schedule:', default: false, describe: 'One test per node at a time instead of full duplex (send one, receive one)' })
    .option('deadline', {
      type: 'string',
      group: 'Schedule:',
      default: '0',
      describe: 'Seconds after start by which the cycle must end: no test starts that cannot finish, running ones are stopped, results are pushed (0: none)',
    })
    .option('max-pairs', {
      type: 'string',
      group: 'Schedule:',
      default: '0',
      describe: 'Tests per run at most, least recently tested first: every pair is covered within ⌈pairs/max⌉ runs (0: all)',
    })
    .option('max-result-age', {
      type: 'string',
      group: 'Push:',
      default: '3600',
      describe: 'Seconds a result of a pair not tested in this run stays in the Pushgateway (dropped sooner if its node is gone)',
    })
    .option('protocols', { type: 'string', requiresArg: true, group: 'iperf3:', default: 'tcp', describe: 'Comma-separated: tcp, udp or both' })
    .option('duration', { type: 'string', requiresArg: true, group: 'iperf3:', default: '5', describe: 'Seconds per test (iperf3 -t)' })
    .option('omit', { type: 'string', requiresArg: true, group: 'iperf3:', default: '1', describe: 'Seconds of each test not counted, for TCP slow start (iperf3 -O)' })
    .option('parallel', { type: 'string', requiresArg: true, group: 'iperf3:', default: '1', describe: 'Parallel streams per test (iperf3 -P)' })
    .option('udp-bitrate', { type: 'string', requiresArg: true, group: 'iperf3:', default: '100M', describe: 'UDP send rate in bits/s (iperf3 -b), e.g. 500M, 1G' })
    .option('port', { type: 'string', requiresArg: true, group: 'iperf3:', default: '5201', describe: 'Server port (static targets may set their own)' })
    .option('connect-timeout', { type: 'string', requiresArg: true, group: 'iperf3:', default: '3', describe: 'Seconds to wait for the control connection (iperf3 --connect-timeout)' })
    .option('busy-retries', { type: 'string', requiresArg: true, group: 'iperf3:', default: '3', describe: 'Retries, with backoff (1 s, 2 s, 4 s, …), of a test whose server is busy with another client or refuses the connection (restarting)' })
    .option('pushgateway', { type: 'string', requiresArg: true, group: 'Push:', describe: 'Pushgateway URL; one group per source node {job, source_node} [default: do not push]' })
    .option('job', { type: 'string', requiresArg: true, group: 'Push:', default: 'iperf3-monitor', describe: 'The job label of the pushed groups' })
    .option('push-timeout', { type: 'string', requiresArg: true, group: 'Push:', default: '10', describe: 'Seconds per Pushgateway request' })
    .option('push-retries', { type: 'string', requiresArg: true, group: 'Push:', default: '3', describe: 'Retries of a Pushgateway request on network errors and 5xx' })
    .option('pushgateway-username', { type: 'string', requiresArg: true, group: 'Push:', describe: 'Basic auth user' })
    .option('pushgateway-password', { type: 'string', requiresArg: true, group: 'Push:', describe: 'Basic auth password (prefer the env var or the -file option)' })
    .option('pushgateway-password-file', { type: 'string', requiresArg: true, group: 'Push:', describe: 'File holding the basic auth password' })
    .option('pushgateway-token', { type: 'string', requiresArg: true, group: 'Push:', describe: 'Bearer token (prefer the env var or the -file option)' })
    .option('pushgateway-token-file', { type: 'string', requiresArg: true, group: 'Push:', describe: 'File holding a bearer token' })
    .option('pushgateway-ca-file', { type: 'string', requiresArg: true, group: 'Push:', describe: 'CA bundle (PEM) that signs the Pushgateway certificate' })
    .option('output', { type: 'string', requiresArg: true, group: 'Output:', default: 'table', describe: 'table: matrix on stdout; json: one document with every result; none' })
    .option('dry-run', { type: 'boolean', group: 'Output:', default: false, describe: 'Discover and print the planned tests in schedule order; test nothing' })
    .option('log-level', { type: 'string', requiresArg: true, group: 'Output:', default: 'info', describe: 'trace, debug, info, warn, error, fatal or silent; logs go to stderr (a terminal showing the table gets warnings only unless this is set)' });
}
