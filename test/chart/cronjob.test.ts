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
  assert.equal(c.spec.jobTemplate.spec.ttlSecondsAfterFinished, 3600);
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
    '--job', 'iperf3-monitor', '--push-timeout', '10', '--push-retries', '3', '--output', 'table',
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
