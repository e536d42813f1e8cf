// The runner CronJob: Forbid overlap, a Job deadline shorter than the interval, a runner --deadline
// derived from it, the Downward API node name, and every runner option passed as a flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flag, one, podSpec, scenario, template, templateError, type RenderOptions } from './helm.ts';

const cron = (o: RenderOptions = {}) => one(template(o), 'CronJob');
const args = (o: RenderOptions = {}): string[] => podSpec(cron(o)).containers[0].args;

test('the CronJob forbids overlapping runs, never restarts a pod and keeps a bounded history', () => {
  const c = cron();
  assert.equal(c.spec.schedule, '*/5 * * * *');
  assert.equal(c.spec.concurrencyPolicy, 'Forbid');
  assert.equal(c.spec.startingDeadlineSeconds, 60);
  assert.equal(c.spec.successfulJobsHistoryLimit, 3);
  assert.equal(c.spec.failedJobsHistoryLimit, 3);
  assert.equal(c.spec.jobTemplate.spec.backoffLimit, 0);
  assert.equal('ttlSecondsAfterFinished' in c.spec.jobTemplate.spec, false);
  assert.equal(podSpec(c).restartPolicy, 'Never');
  assert.equal(c.spec.timeZone, undefined);
});

const deadlines: [string, string[], number, number, number][] = [
  // name, --set, interval, activeDeadlineSeconds, runner --deadline
  ['every 5 minutes by default', [], 300, 240, 210],
  ['every 2 minutes', ['runner.schedule=*/2 * * * *'], 120, 96, 66],
  ['every 15 minutes with an explicit deadline', ['runner.schedule=*/15 * * * *', 'runner.activeDeadlineSeconds=600'], 900, 600, 570],
  ['hourly at minute 7', ['runner.schedule=7 * * * *'], 3600, 2880, 2850],
  ['@hourly', ['runner.schedule=@hourly'], 3600, 2880, 2850],
  ['every 6 hours', ['runner.schedule=0 */6 * * *'], 21600, 17280, 17250],
  ['daily', ['runner.schedule=30 2 * * *'], 86400, 69120, 69090],
  ['a schedule with an explicit interval', ['runner.schedule=0 8-18 * * 1-5', 'runner.intervalSeconds=3600'], 3600, 2880, 2850],
  ['a larger push margin', ['runner.deadlineMarginSeconds=90'], 300, 240, 150],
];
for (const [name, set, interval, active, deadline] of deadlines) {
  test(`for a schedule ${name} the Job deadline is ${active}s (< ${interval}s) and the runner --deadline ${deadline}s`, () => {
    const c = cron({ set });
    assert.equal(c.spec.jobTemplate.spec.activeDeadlineSeconds, active);
    assert.ok(active < interval);
    assert.equal(flag(podSpec(c).containers[0].args, '--deadline'), String(deadline));
  });
}

test('a Job deadline not shorter than the interval fails the render with its numbers', () => {
  assert.match(
    templateError({ set: ['runner.activeDeadlineSeconds=300'] }),
    /iperf3-monitor: runner\.activeDeadlineSeconds \(300\) must be shorter than the schedule interval \(300s\), or runs would overlap/,
  );
});

test('a schedule whose interval the chart cannot derive asks for runner.intervalSeconds', () => {
  assert.match(
    templateError({ set: ['runner.schedule=0 0 1 * *'] }),
    /iperf3-monitor: cannot derive the interval of runner\.schedule "0 0 1 \* \*"; set runner\.intervalSeconds/,
  );
});

test('a push margin that leaves no time for tests fails the render', () => {
  assert.match(
    templateError({ set: ['runner.deadlineMarginSeconds=240'] }),
    /iperf3-monitor: runner\.deadlineMarginSeconds \(240\) leaves no time for tests within the Job deadline \(240s\)/,
  );
});

test('a push margin or a grace period shorter than the push bound + 5 s fails the render', () => {
  assert.match(
    templateError({ set: ['runner.pushDeadlineSeconds=40'] }),
    /iperf3-monitor: runner\.deadlineMarginSeconds \(30\) must be at least runner\.pushDeadlineSeconds \(40\) \+ 5, or the Job could be killed mid-push/,
  );
  assert.match(
    templateError({ set: ['runner.pushDeadlineSeconds=40', 'runner.deadlineMarginSeconds=60'] }),
    /iperf3-monitor: runner\.terminationGracePeriodSeconds \(30\) must be at least runner\.pushDeadlineSeconds \(40\) \+ 5, or SIGKILL could land mid-push/,
  );
});

test('POD_NAME and POD_NAMESPACE come from the Downward API (the deadline counts from the pod start; the Lease names the pod)', () => {
  const env = podSpec(cron()).containers[0].env;
  assert.deepEqual(env.slice(1, 3), [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ]);
});

test('the run Lease Role grants create on leases, get/update on the run Lease by name, and get on pods, in the release namespace', () => {
  const docs = template();
  const role = docs.find((d) => d.kind === 'Role' && d.metadata.name === 'mon-iperf3-monitor-run');
  assert.ok(role, 'a Role mon-iperf3-monitor-run');
  assert.equal(role.metadata.namespace, 'netcheck');
  assert.deepEqual(role.rules, [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['mon-iperf3-monitor-run'], verbs: ['get', 'update'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
  ]);
  const binding = docs.find((d) => d.kind === 'RoleBinding' && d.metadata.name === 'mon-iperf3-monitor-run');
  assert.equal(binding?.roleRef.name, 'mon-iperf3-monitor-run');
});

test('SOURCE_NODE_NAME comes from the Downward API spec.nodeName', () => {
  const env = podSpec(cron({ files: [scenario('star-mode')] })).containers[0].env;
  assert.deepEqual(env[0], { name: 'SOURCE_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
});

test('the default runner arguments follow the CLI contract', () => {
  assert.deepEqual(args(), [
    'run', '--mode', 'mesh',
    '--selector', 'app.kubernetes.io/name=iperf3-monitor,app.kubernetes.io/instance=mon,app.kubernetes.io/component=server',
    '--server-container', 'iperf3', '--port', '5201', '--concurrency', 'auto', '--protocols', 'tcp',
    '--duration', '5', '--omit', '1', '--parallel', '1', '--udp-bitrate', '100M', '--connect-timeout', '3',
    '--busy-retries', '3', '--max-pairs', '0', '--max-result-age', '3600', '--deadline', '210', '--run-interval', '300', '--pushgateway', 'http://prometheus-pushgateway.monitoring.svc:9091',
    '--job', 'iperf3-monitor', '--push-timeout', '10', '--push-retries', '3', '--push-deadline', '20',
    '--lease', 'mon-iperf3-monitor-run', '--lease-namespace', 'netcheck', '--lease-wait', '0', '--output', 'table',
    '--log-level', 'info', '--namespace', 'netcheck',
  ]);
});

test('both protocols are passed as one comma-separated --protocols value', () => {
  const a = args({ files: [scenario('both-protocols')] });
  assert.equal(flag(a, '--protocols'), 'tcp,udp');
  assert.equal(flag(a, '--udp-bitrate'), '1G');
  assert.equal(flag(a, '--duration'), '10');
});

test('star mode with the host network runs the runner pod in the host network', () => {
  const c = cron({ files: [scenario('star-mode')] });
  assert.equal(flag(podSpec(c).containers[0].args, '--mode'), 'star');
  assert.equal(podSpec(c).hostNetwork, true);
  assert.equal(podSpec(c).dnsPolicy, 'ClusterFirstWithHostNet');
});

test('Pushgateway credentials are mounted from the Secret and passed as file paths, never as values', () => {
  const c = cron({ files: [scenario('hourly-pushgateway-auth')] });
  const spec = podSpec(c);
  const a: string[] = spec.containers[0].args;
  assert.equal(flag(a, '--pushgateway'), 'https://pushgateway.example.internal');
  assert.equal(flag(a, '--pushgateway-username'), 'iperf3');
  assert.equal(flag(a, '--pushgateway-password-file'), '/etc/iperf3-monitor/pushgateway/password');
  assert.equal(flag(a, '--pushgateway-ca-file'), '/etc/iperf3-monitor/pushgateway/ca.crt');
  assert.equal(flag(a, '--pushgateway-token-file'), undefined);
  assert.deepEqual(spec.volumes.find((v: { name: string }) => v.name === 'pushgateway-auth').secret, { secretName: 'pushgateway-credentials', defaultMode: 0o440 });
  assert.deepEqual(spec.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'pushgateway-auth'), { name: 'pushgateway-auth', mountPath: '/etc/iperf3-monitor/pushgateway', readOnly: true });
  assert.equal(c.spec.timeZone, 'Europe/Berlin');
  assert.equal(c.spec.jobTemplate.spec.activeDeadlineSeconds, 1800);
});

test('Secret keys without the Secret, or a password without a user name, fail the render', () => {
  assert.match(templateError({ set: ['pushgateway.auth.tokenKey=token'] }), /iperf3-monitor: pushgateway\.auth keys name entries of a Secret: set pushgateway\.auth\.existingSecret/);
  assert.match(
    templateError({ set: ['pushgateway.auth.existingSecret=s', 'pushgateway.auth.passwordKey=password'] }),
    /iperf3-monitor: pushgateway\.auth\.passwordKey needs pushgateway\.auth\.username/,
  );
});

test('no Pushgateway at all fails the render with what to set', () => {
  assert.match(templateError({ set: ['pushgateway.url='] }), /iperf3-monitor: set pushgateway\.url to an existing Pushgateway, or pushgateway\.enabled=true to deploy one/);
});

test('extra arguments come last and exclusive mode adds --exclusive', () => {
  const a = args({ set: ['runner.exclusive=true', 'runner.extraArgs={--dry-run}'] });
  assert.ok(a.includes('--exclusive'));
  assert.equal(a.at(-1), '--dry-run');
});

test('the pair budget and result age reach the runner as --max-pairs and --max-result-age', () => {
  const args = podSpec(one(template({ set: ['runner.maxPairs=500', 'runner.maxResultAgeSeconds=7200'] }), 'CronJob')).containers[0].args as string[];
  assert.equal(flag(args, '--max-pairs'), '500');
  assert.equal(flag(args, '--max-result-age'), '7200');
});

test('remote write: runner.remoteWriteUrl, pairSeries and stateUrl reach the runner; none of them by default', () => {
  const none = args();
  for (const name of ['--remote-write', '--pair-series', '--state-url']) assert.equal(flag(none, name), undefined, name);
  const url = 'http://mimir.monitoring.svc/api/v1/push';
  const set = [`runner.remoteWriteUrl=${url}`, 'runner.pairSeries=remote-write', 'runner.stateUrl=http://mimir.monitoring.svc/prometheus'];
  const given = args({ set });
  assert.equal(flag(given, '--remote-write'), url);
  assert.equal(flag(given, '--pair-series'), 'remote-write');
  assert.equal(flag(given, '--state-url'), 'http://mimir.monitoring.svc/prometheus');
});

test('runner.pairSeries remote-write without runner.remoteWriteUrl fails the render, naming both', () => {
  assert.match(
    templateError({ set: ['runner.pairSeries=remote-write'] }),
    /iperf3-monitor: runner\.pairSeries remote-write needs runner\.remoteWriteUrl \(the receiver that keeps the per-pair series\)/,
  );
  assert.match(templateError({ set: ['runner.pairSeries=all'] }), /pairSeries/);
});

test('no TTL deletes failed Jobs before failedJobsHistoryLimit says: none by default, and a TTL only without failed history', () => {
  const job = (set: string[]) => one(template({ set }), 'CronJob').spec.jobTemplate.spec;
  assert.equal(job([]).ttlSecondsAfterFinished, undefined);
  assert.match(
    templateError({ set: ['runner.ttlSecondsAfterFinished=3600'] }),
    /runner\.ttlSecondsAfterFinished \(3600\) would delete failed Jobs that runner\.failedJobsHistoryLimit \(3\) keeps/,
  );
  assert.equal(job(['runner.ttlSecondsAfterFinished=600', 'runner.failedJobsHistoryLimit=0']).ttlSecondsAfterFinished, 600);
});
