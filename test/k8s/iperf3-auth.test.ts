// iperf3Auth under real kubelets (test/k8s/rig.sh up-real): the chart installed with iperf3's RSA
// authentication, the keys, users file and password in a Secret made here with openssl. On the real nodes:
// the Secret's files, as the runtime mounted them, are 0444 root-owned and readable by the images' uid 65532;
// the servers refuse a client without credentials (from a pod and from a node); a client exec'd into a server
// pod authenticates with the container's IPERF3_PASSWORD (never on a command line); the runner's Job, the
// `helm test` hook and a star-mode runner (its own clients, the Secret mounted in its pod) all measure every
// pair and their results land in the Pushgateway.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rig, repoDir, waitFor } from './rig.ts';
import { ensureImages } from './images.ts';
import { allPairs, diagnose, installCrds, jobDone, jobLog, manifestOf, oneOf, podResult, pods, pushgatewayUrl, samples } from './release.ts';

const chartDir = join(repoDir, 'charts/iperf3-monitor');
const nodes = ['node-a', 'node-b', 'node-c'];
const release = 'iperf3-monitor';
const ns = 'monitoring';
const job = 'iperf3-monitor';
const MOUNT = '/etc/iperf3-monitor/iperf3-auth';
const USER = 'iperf3-monitor';
const PASSWORD = 'pw-from-the-secret-7f3a';
const authArgs = ['--set', 'iperf3Auth.enabled=true', '--set', 'iperf3Auth.existingSecret=iperf3-auth'];
const installArgs = ['--set', 'pushgateway.enabled=true', '--set', 'runner.suspend=true', '--set', 'verify.enabled=true', '--set', 'verify.minTcpMbps=50', ...authArgs];

/** The Secret's files, made with openssl: key pair, users file (`user,sha256("{user}password")`), password. */
function makeSecretFiles(dir: string): string[] {
  execFileSync('openssl', ['genrsa', '-out', join(dir, 'private.pem'), '2048'], { stdio: 'ignore' });
  execFileSync('openssl', ['rsa', '-in', join(dir, 'private.pem'), '-pubout', '-out', join(dir, 'public.pem')], { stdio: 'ignore' });
  const hash = createHash('sha256').update(`{${USER}}${PASSWORD}`).digest('hex');
  execFileSync('sh', ['-c', 'printf "%s\\n" "$1" > "$2/users.csv" && printf "%s" "$3" > "$2/password"', 'sh', `${USER},${hash}`, dir, PASSWORD]);
  return ['private.pem', 'public.pem', 'users.csv', 'password'].map((f) => `--from-file=${f}=${join(dir, f)}`);
}

describe('iperf3Auth on real nodes: authenticated servers, exec\'d clients with the Secret\'s password', () => {
  const rig = new Rig();
  const keys = mkdtempSync(join(tmpdir(), 'iperf3-monitor-auth-'));
  const lab = () => rig.labNodes();
  const server = (node: string) => pods(rig, ns, 'app.kubernetes.io/component=server').find((p) => p.spec.nodeName === node)!;
  /** The host pid of a pod's first container (from its node's containerd). */
  const taskPid = (pod: any): string => {
    const id = String(pod.status.containerStatuses[0].containerID).replace(/^containerd:\/\//, '');
    const pid = rig.ctr(pod.spec.nodeName, ['tasks', 'ls']).split('\n').find((l) => l.startsWith(id))?.split(/\s+/)[1];
    assert.ok(pid, `task of ${pod.metadata.name}`);
    return pid;
  };
  /** A one-shot pod of the runner image (it has iperf3 and Node.js) with the given pod spec parts. */
  const probe = async (name: string, spec: Record<string, unknown>, container: Record<string, unknown>) => {
    const image = oneOf(manifestOf(rig, release, ns), 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].image as string;
    rig.kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { restartPolicy: 'Never', automountServiceAccountToken: false, nodeName: 'node-a', ...spec,
        containers: [{ name: 'probe', image, imagePullPolicy: 'IfNotPresent', ...container }] },
    }));
    return podResult(rig, name, ns);
  };

  before(() => {
    ensureImages();
    rig.upReal(nodes);
    installCrds(rig);
    rig.kubectl(['create', 'namespace', ns]);
    rig.kubectl(['create', 'secret', 'generic', 'iperf3-auth', '-n', ns, ...makeSecretFiles(keys)]);
    const r = rig.helm(['install', release, chartDir, '-n', ns, ...installArgs, '--wait', '--timeout', '3m']);
    assert.equal(r.status, 0, `helm install failed:\n${r.stderr}\n${r.stdout}\n${diagnose(rig, ns)}`);
  });
  after(() => {
    rig.down();
    rmSync(keys, { recursive: true, force: true });
  });

  test('the servers run as uid 65532 with the Secret mounted 0444 (root-owned) and read it: Ready, no restart', () => {
    for (const node of nodes) {
      const p = server(node);
      assert.equal(p.status.containerStatuses[0].ready, true, `${node} Ready\n${diagnose(rig, ns)}`);
      assert.equal(p.status.containerStatuses[0].restartCount, 0);
      const pid = taskPid(p);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      assert.match(cmd, new RegExp(`--rsa-private-key-path ${MOUNT}/private.pem --authorized-users-path ${MOUNT}/users.csv`));
      assert.doesNotMatch(cmd, new RegExp(PASSWORD));
      assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^Uid:\s+65532\s+65532\s+65532\s+65532$/m);
      assert.match(readFileSync(`/proc/${pid}/environ`, 'utf8'), new RegExp(`(^|\\0)IPERF3_PASSWORD=${PASSWORD}(\\0|$)`));
      for (const f of ['private.pem', 'public.pem', 'users.csv', 'password']) {
        const st = statSync(`/proc/${pid}/root${MOUNT}/${f}`); // through the container's own mount namespace
        assert.equal(st.mode & 0o777, 0o444, `${node} ${f} mode ${(st.mode & 0o777).toString(8)}`);
        assert.equal(st.uid, 0, `${node} ${f} owned by root`);
      }
    }
  });

  test('uid 65532 without an fsGroup (the server\'s security context) reads every file of the chart\'s Secret volume', async () => {
    const ds = oneOf(manifestOf(rig, release, ns), 'DaemonSet').spec.template.spec;
    const script = `for (const f of ['private.pem','public.pem','users.csv','password']) { try { require('fs').readFileSync('${MOUNT}/' + f); console.log(f + ' ok') } catch (e) { console.log(f + ' ' + e.code) } } console.log('uid ' + process.getuid() + ' groups ' + process.getgroups().join(','))`;
    const { phase, log } = await probe('read-secret', { securityContext: ds.securityContext, volumes: ds.volumes }, {
      command: ['/nodejs/bin/node', '-e', script], securityContext: ds.containers[0].securityContext, volumeMounts: ds.containers[0].volumeMounts,
    });
    assert.equal(ds.securityContext.fsGroup, undefined, 'the server pods have no fsGroup');
    assert.equal(phase, 'Succeeded', log);
    assert.match(log, /^uid 65532 groups 65532$/m);
    for (const f of ['private.pem', 'public.pem', 'users.csv', 'password']) assert.match(log, new RegExp(`^${f} ok$`, 'm'));
  });

  test('the servers refuse a client without credentials: from a pod on the pod network and from a node', async () => {
    const target = lab().get('node-b')!.ip;
    const { log } = await probe('no-credentials', {}, { command: ['iperf3', '-c', target, '-p', '5201', '-t', '1', '-J'] });
    assert.equal(JSON.parse(log).error, 'test authorization failed', log);
    const fromNode = rig.inNode('node-c', ['iperf3', '-c', target, '-p', '5201', '-t', '1', '-J']);
    assert.equal(JSON.parse(fromNode.stdout).error, 'test authorization failed', fromNode.stdout);
  });

  test('a client exec\'d into a server pod authenticates with the container\'s IPERF3_PASSWORD; the wrong password is refused', () => {
    const target = lab().get('node-b')!.ip;
    const client = ['iperf3', '-c', target, '-p', '5201', '-t', '1', '-J', '--username', USER, '--rsa-public-key-path', `${MOUNT}/public.pem`];
    const ok = JSON.parse(rig.kubectlRaw(['exec', '-n', ns, server('node-a').metadata.name, '--', ...client]).stdout);
    assert.equal(ok.error, undefined, JSON.stringify(ok.error));
    assert.ok(ok.end.sum_received.bits_per_second > 10e6, `${ok.end.sum_received.bits_per_second} bit/s`);
    // same client from a node's network namespace with a guessed password (host iperf3, env of its own)
    const wrong = rig.inNode('node-a', ['env', 'IPERF3_PASSWORD=guess', ...client.map((a) => a.replace(MOUNT, keys))]);
    assert.equal(JSON.parse(wrong.stdout).error, 'test authorization failed', wrong.stdout);
  });

  test('the runner Job (mesh, pods/exec) measures every pair through the authenticated servers and pushes to the Pushgateway', async () => {
    const cron = oneOf(manifestOf(rig, release, ns), 'CronJob');
    const spec = cron.spec.jobTemplate.spec.template.spec;
    assert.doesNotMatch(JSON.stringify(spec), /IPERF3_PASSWORD|secretName/, 'mesh: the runner pod never holds the password');
    rig.kubectl(['create', 'job', '--from', `cronjob/${cron.metadata.name}`, 'auth-1', '-n', ns]);
    assert.equal(await jobDone(rig, 'auth-1', ns), 'Complete', `${jobLog(rig, 'auth-1', ns)}\n${diagnose(rig, ns)}`);
    const url = pushgatewayUrl(rig, ns);
    const ok = await samples(url, job, 'iperf_test_success');
    assert.deepEqual(ok.map((s) => `${s.source}>${s.destination}`).sort(), allPairs(nodes));
    assert.ok(ok.every((s) => s.value === 1), `${JSON.stringify(ok)}\n${jobLog(rig, 'auth-1', ns)}`);
    const bw = await samples(url, job);
    console.log(`# authenticated mesh: ${bw.map((s) => `${s.source}>${s.destination} ${s.value.toFixed(1)}`).join('; ')} Mbit/s`);
    assert.ok(bw.length === 6 && bw.every((s) => s.value > 50), JSON.stringify(bw));
    assert.doesNotMatch(jobLog(rig, 'auth-1', ns), new RegExp(PASSWORD));
  });

  test('helm test passes with authenticated servers', () => {
    const r = rig.helm(['test', release, '-n', ns, '--logs', '--timeout', '5m']);
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /^6 pairs between 3 nodes, 6 passed, 0 failed;/m);
  });

  test('star mode: the runner pod mounts the Secret, its own clients authenticate, results land in the Pushgateway', async () => {
    const up = rig.helm(['upgrade', release, chartDir, '-n', ns, '--reuse-values', '--set', 'runner.mode=star', '--set', 'runner.hostNetwork=true', '--wait', '--timeout', '3m']);
    assert.equal(up.status, 0, `${up.stderr}\n${up.stdout}`);
    const t0 = Date.now() / 1000;
    rig.kubectl(['create', 'job', '--from', `cronjob/${oneOf(manifestOf(rig, release, ns), 'CronJob').metadata.name}`, 'auth-star', '-n', ns]);
    assert.equal(await jobDone(rig, 'auth-star', ns), 'Complete', `${jobLog(rig, 'auth-star', ns)}\n${diagnose(rig, ns)}`);
    const src = pods(rig, ns, 'job-name=auth-star')[0].spec.nodeName as string;
    const url = pushgatewayUrl(rig, ns);
    const fresh = await waitFor('the star run\'s push', async () => {
      const res = (await (await fetch(`${url}/api/v1/metrics`)).json()) as { data: any[] };
      const group = res.data.find((g) => g.labels.job === job && g.labels.source_node === src);
      return Number(group?.push_time_seconds?.metrics?.[0]?.value ?? 0) >= t0 ? group : undefined;
    }, 30);
    const ok = (fresh.iperf_test_success.metrics as { labels: Record<string, string>; value: string }[]).map((m) => `${m.labels.destination_node}=${m.value}`).sort();
    assert.deepEqual(ok, nodes.filter((n) => n !== src).map((n) => `${n}=1`), jobLog(rig, 'auth-star', ns));
  });
});
