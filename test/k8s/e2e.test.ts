// End to end against a real control plane (test/k8s/rig.sh): `helm install --wait` of the real chart, the
// runner authenticated as the chart's ServiceAccount (TokenRequest) discovering the server pods through the
// API and running a full mesh cycle through pods/exec (KWOK runs the client inside the source lab node),
// pushing to a real Pushgateway; RBAC proven with `kubectl auth can-i` as that account; the manual Job from
// the CronJob; node removal deleting the node's Pushgateway group; star-mode and bundled-Pushgateway installs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Rig, crdDir, repoDir, waitFor } from './rig.ts';
import { freePort } from '../support/free-port.ts';

const chartDir = join(repoDir, 'charts/iperf3-monitor');
const runner = join(repoDir, 'dist/iperf3-monitor.mjs');
const nodes = ['node-a', 'node-b', 'node-c'];
const release = 'iperf3-monitor';
const ns = 'monitoring';
const job = 'iperf3-monitor';
// Relative accuracy bar between the Kubernetes (pods/exec) run and the static-targets run on the same lab.
const accuracy = 0.03;

interface PairResult {
  source_node: string;
  destination_node: string;
  protocol: string;
  success: boolean;
  bandwidth_mbps?: number;
  error?: string;
}

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: any };

function results(stdout: string): PairResult[] {
  const doc = JSON.parse(stdout) as unknown;
  const list = Array.isArray(doc) ? doc : ((doc as any).results ?? (doc as any).pairs);
  assert.ok(Array.isArray(list), `runner --output json gave no result list: ${stdout.slice(0, 500)}`);
  return list as PairResult[];
}

function runRunner(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [runner, 'run', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function pushgatewayGroups(url: string): Promise<Map<string, any>> {
  const res = await fetch(`${url}/api/v1/metrics`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { data: any[] };
  return new Map(
    body.data
      .filter((g) => g.labels.job === job)
      .map((g) => [g.labels.source_node ?? '', g]),
  );
}

const missing = [
  existsSync(join(chartDir, 'Chart.yaml')) ? '' : `chart ${chartDir}`,
  existsSync(runner) ? '' : `runner ${runner} (npm run build)`,
].filter(Boolean);

describe('k8s end to end: chart + runner on a real control plane', { skip: missing.length ? `not built yet: ${missing.join(', ')}` : false }, () => {
  const rig = new Rig();
  let pgUrl = '';
  let manifest: K8sObject[] = [];
  let saKubeconfig = '';

  const one = (kind: string): K8sObject => {
    const found = manifest.filter((o) => o.kind === kind);
    assert.equal(found.length, 1, `exactly one ${kind} in the release manifest`);
    return found[0]!;
  };

  before(async () => {
    rig.up(nodes);
    console.log(`# control plane start: ${rig.startSeconds.toFixed(1)}s`);
    const crds = crdDir();
    for (const f of readdirSync(crds).filter((f) => f.endsWith('.yaml'))) rig.kubectl(['apply', '--server-side', '-f', join(crds, f)]);
    rig.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
    const port = await freePort();
    pgUrl = `http://127.0.0.1:${port}`;
    rig.track(spawn('/usr/bin/prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' }));
    await waitFor('pushgateway', async () => (await fetch(`${pgUrl}/-/ready`).catch(() => undefined))?.ok, 30);
  });

  after(() => rig.down()); // also kills the Pushgateway

  test('helm install --wait with default values; every object accepted and Ready', () => {
    rig.kubectl(['create', 'namespace', ns]);
    const t0 = Date.now();
    const r = rig.helm(['install', release, chartDir, '-n', ns, '--wait', '--timeout', '3m']);
    assert.equal(r.status, 0, `helm install failed:\n${r.stderr}\n${r.stdout}`);
    console.log(`# helm install --wait (defaults): ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    manifest = parseAllDocuments(rig.helm(['get', 'manifest', release, '-n', ns]).stdout)
      .map((d) => d.toJS() as K8sObject)
      .filter(Boolean);
    for (const o of manifest) {
      const got = rig.kubectlRaw(['get', '-n', ns, '-f', '-', '-o', 'name'], JSON.stringify(o));
      assert.equal(got.status, 0, `${o.kind}/${o.metadata.name} exists: ${got.stderr}`);
    }
    const ds = one('DaemonSet');
    const pods = rig.kubectlJson<{ items: any[] }>(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=server']).items;
    const lab = rig.labNodes();
    assert.equal(pods.length, nodes.length, `server pods of ${ds.metadata.name}`);
    for (const p of pods) {
      assert.equal(p.status.phase, 'Running');
      assert.equal(p.spec.hostNetwork, true);
      assert.equal(p.status.podIP, lab.get(p.spec.nodeName)?.ip);
    }
  });

  test('RBAC as the chart ServiceAccount: pods list + exec in its namespace, nothing else', () => {
    const sa = one('ServiceAccount').metadata.name;
    saKubeconfig = rig.tokenKubeconfig('runner', rig.token(sa, ns), ns);
    const canI = (...args: string[]) => rig.kubectlRaw(['--kubeconfig', saKubeconfig, 'auth', 'can-i', ...args]).stdout.trim();
    assert.equal(canI('list', 'pods', '-n', ns), 'yes');
    assert.equal(canI('get', 'pods', '-n', ns), 'yes');
    assert.equal(canI('create', 'pods', '--subresource=exec', '-n', ns), 'yes');
    assert.equal(canI('get', 'pods', '--subresource=exec', '-n', ns), 'yes');
    assert.equal(canI('get', 'secrets', '-n', ns), 'no');
    assert.equal(canI('list', 'pods', '-n', 'default'), 'no');
    assert.equal(canI('create', 'pods', '--subresource=exec', '-n', 'default'), 'no');
    assert.equal(canI('delete', 'pods', '-n', ns), 'no');
    assert.equal(canI('list', 'nodes'), 'no');
  });

  let k8sRun: PairResult[] = [];

  test('runner with the ServiceAccount token: discovery + full mesh via pods/exec, pushed to the Pushgateway', async () => {
    rig.syncExecs();
    const t0 = Date.now();
    const r = runRunner(['--kubeconfig', saKubeconfig, '--namespace', ns, '--pushgateway', pgUrl, '--job', job,
      '--protocols', 'tcp,udp', '--udp-bitrate', '50M', '--duration', '2', '--omit', '1', '--output', 'json', '--log-level', 'warn']);
    const secs = (Date.now() - t0) / 1000;
    assert.equal(r.status, 0, `runner failed:\n${r.stderr}`);
    k8sRun = results(r.stdout);
    const doc = JSON.parse(r.stdout) as { duration_s?: number };
    console.log(`# k8s mesh run (tcp+udp): ${secs.toFixed(1)}s wall, cycle ${doc.duration_s}s, ${k8sRun.length} tests: ${k8sRun
      .map((p: any) => `${p.source_node}->${p.destination_node}/${p.protocol} ${p.bandwidth_mbps?.toFixed(1)} (${p.duration_s}s${p.attempts > 1 ? `, ${p.attempts} attempts` : ''})`)
      .join(', ')}`);
    assert.equal(k8sRun.length, 2 * nodes.length * (nodes.length - 1));
    for (const p of k8sRun) assert.ok(p.success, `${p.source_node}->${p.destination_node}: ${p.error}`);

    const groups = await pushgatewayGroups(pgUrl);
    for (const n of nodes) {
      const g = groups.get(n);
      assert.ok(g, `group source_node=${n}`);
      const bw = g.iperf_network_bandwidth_mbps?.metrics ?? [];
      const others = nodes.filter((d) => d !== n);
      for (const proto of ['tcp', 'udp']) {
        assert.deepEqual(bw.filter((m: any) => m.labels.protocol === proto).map((m: any) => m.labels.destination_node).sort(), others, `${n} ${proto}`);
      }
      const jitter = g.iperf_network_jitter_ms?.metrics ?? [];
      assert.deepEqual(jitter.map((m: any) => m.labels.destination_node).sort(), others, `${n} UDP jitter`);
      assert.ok((g.iperf_test_success?.metrics ?? []).every((m: any) => m.value === '1'));
    }
  });

  test('the same lab with static targets gives the same numbers within the accuracy bar', () => {
    const lab = rig.labNodes();
    const targets = join(rig.state, 'targets.json');
    writeFileSync(targets, JSON.stringify(nodes.map((n) => ({ node: n, ip: lab.get(n)!.ip }))));
    const r = runRunner(['--targets', targets, '--client-command', `ip netns exec ${lab.get(nodes[0]!)!.netns.replace(nodes[0]!, '{node}')} iperf3`,
      '--protocols', 'tcp,udp', '--udp-bitrate', '50M', '--duration', '2', '--omit', '1', '--output', 'json', '--log-level', 'warn']);
    assert.equal(r.status, 0, r.stderr);
    const staticRun = results(r.stdout);
    const key = (p: PairResult) => `${p.source_node}>${p.destination_node}>${p.protocol}`;
    const byKey = new Map(staticRun.map((p) => [key(p), p]));
    const diffs: string[] = [];
    for (const p of k8sRun) {
      const s = byKey.get(key(p));
      assert.ok(s?.success && s.bandwidth_mbps && p.bandwidth_mbps, `static ${key(p)}`);
      const rel = Math.abs(p.bandwidth_mbps - s.bandwidth_mbps) / s.bandwidth_mbps;
      diffs.push(`${key(p)} k8s ${p.bandwidth_mbps.toFixed(1)} static ${s.bandwidth_mbps.toFixed(1)} (${(rel * 100).toFixed(2)}%)`);
      assert.ok(rel <= accuracy, diffs.at(-1));
    }
    console.log(`# k8s vs static: ${diffs.join('; ')}`);
  });

  test('kubectl create job --from=cronjob gives the rendered runner Job', () => {
    const cj = one('CronJob');
    rig.kubectl(['create', 'job', '--from', `cronjob/${cj.metadata.name}`, 'manual-run', '-n', ns]);
    const j = rig.kubectlJson<any>(['get', 'job', 'manual-run', '-n', ns]);
    const live = rig.kubectlJson<any>(['get', 'cronjob', cj.metadata.name, '-n', ns]);
    const want = cj.spec.jobTemplate.spec; // as rendered by helm
    const wantPod = want.template.spec;
    const gotPod = j.spec.template.spec;
    assert.deepEqual(gotPod, live.spec.jobTemplate.spec.template.spec, 'Job pod spec = CronJob jobTemplate (server-defaulted)');
    assert.equal(j.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(j.spec.activeDeadlineSeconds, want.activeDeadlineSeconds);
    assert.ok(j.spec.activeDeadlineSeconds > 0);
    assert.equal(gotPod.serviceAccountName, wantPod.serviceAccountName);
    assert.equal(gotPod.serviceAccountName, one('ServiceAccount').metadata.name);
    assert.equal(gotPod.restartPolicy, 'Never');
    const c = gotPod.containers[0];
    const wc = wantPod.containers[0];
    assert.equal(c.image, wc.image);
    assert.deepEqual(c.args ?? [], wc.args ?? []);
    assert.deepEqual(c.command ?? [], wc.command ?? []);
    assert.deepEqual((c.env ?? []).map((e: any) => e.name), (wc.env ?? []).map((e: any) => e.name));
    const argv = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
    assert.match(argv, /\brun\b/);
    const deadline = /--deadline[= ](\d+)/.exec(argv)?.[1] ?? (c.env ?? []).find((e: any) => e.name === 'IPERF3_MONITOR_DEADLINE')?.value;
    if (deadline !== undefined) assert.ok(Number(deadline) < j.spec.activeDeadlineSeconds, `--deadline ${deadline} < activeDeadlineSeconds`);
  });

  test('a stopped server: through pods/exec exactly the pairs into it fail, the run still exits 0', () => {
    rig.labServer('node-b', 'stop');
    try {
      const r = runRunner(['--kubeconfig', saKubeconfig, '--namespace', ns, '--duration', '1', '--omit', '0', '--output', 'json', '--log-level', 'error']);
      assert.equal(r.status, 0, r.stderr);
      const pairs = results(r.stdout);
      assert.equal(pairs.length, 6);
      for (const p of pairs) {
        assert.equal(p.success, p.destination_node !== 'node-b', `${p.source_node}->${p.destination_node}: ${p.error ?? 'ok'}`);
        if (!p.success) assert.match(p.error ?? '', /refused/, 'iperf3\'s own error came back through pods/exec');
        if (!p.success) assert.equal(p.bandwidth_mbps ?? null, null);
      }
    } finally {
      rig.labServer('node-b', 'start');
    }
  });

  test('removing a node deletes its Pushgateway group on the next run', async () => {
    rig.nodeDel('node-c');
    try {
      await waitFor('node-c server pod gone', () =>
        rig.kubectlJson<{ items: any[] }>(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=server']).items.length === 2);
      rig.syncExecs();
      // A node not discovered keeps its group until its results are older than --max-result-age (a
      // NotReady blip must not erase it); node-c's are older than 1 s by the end of this run.
      const r = runRunner(['--kubeconfig', saKubeconfig, '--namespace', ns, '--pushgateway', pgUrl, '--job', job,
        '--duration', '1', '--omit', '0', '--output', 'json', '--log-level', 'warn', '--max-result-age', '1']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(results(r.stdout).length, 2);
      const groups = await pushgatewayGroups(pgUrl);
      assert.deepEqual([...groups.keys()].sort(), ['', 'node-a', 'node-b'].filter((k) => k !== '' || groups.has('')), 'group source_node=node-c deleted');
      for (const n of ['node-a', 'node-b']) {
        const series = Object.values(groups.get(n)!).flatMap((v: any) => (v?.metrics ?? []) as any[]);
        const dests = new Set(series.map((m) => m.labels.destination_node).filter(Boolean));
        assert.deepEqual([...dests], [n === 'node-a' ? 'node-b' : 'node-a'], `${n}: no series towards node-c`);
      }
    } finally {
      rig.nodeAdd('node-c');
    }
  });

  test('helm uninstall of the default release removes its objects', async () => {
    const r = rig.helm(['uninstall', release, '-n', ns, '--wait', '--timeout', '2m']);
    assert.equal(r.status, 0, r.stderr);
    // the server pods hold hostNetwork port 5201 on every node: the scenarios below need them gone
    await waitFor('server pods gone', () => rig.kubectlJson<{ items: any[] }>(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=server']).items.length === 0);
  });

  for (const [scenario, file] of [['star mode', 'star'], ['bundled Pushgateway', 'pushgateway']] as const) {
    test(`helm install --wait, ${scenario} (ci/*${file}*-values.yaml)`, async (t) => {
      const ci = join(chartDir, 'ci');
      const values = existsSync(ci) ? readdirSync(ci).find((f) => f.includes(file) && f.endsWith('-values.yaml')) : undefined;
      assert.ok(values, `a ci/*${file}*-values.yaml scenario in the chart`);
      const sns = `scenario-${file}`;
      rig.kubectl(['create', 'namespace', sns]);
      const t0 = Date.now();
      t.after(() => {
        // always uninstall: the next scenario's hostNetwork server pods need the port on every node
        rig.helm(['uninstall', `s-${file}`, '-n', sns, '--wait', '--timeout', '2m']);
      });
      const r = rig.helm(['install', `s-${file}`, chartDir, '-n', sns, '-f', join(ci, values), '--wait', '--timeout', '3m']);
      assert.equal(r.status, 0, `helm install ${values} failed:\n${r.stderr}\n${r.stdout}`);
      console.log(`# helm install --wait (${values}): ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      const objs = parseAllDocuments(rig.helm(['get', 'manifest', `s-${file}`, '-n', sns]).stdout).map((d) => d.toJS() as K8sObject).filter(Boolean);
      for (const o of objs) {
        const got = rig.kubectlRaw(['get', '-n', sns, '-f', '-', '-o', 'name'], JSON.stringify(o));
        assert.equal(got.status, 0, `${o.kind}/${o.metadata.name} exists: ${got.stderr}`);
      }
      if (file === 'pushgateway') {
        // validated server-side against the prometheus-operator CRDs
        for (const kind of ['ServiceMonitor', 'PrometheusRule']) assert.ok(objs.some((o) => o.kind === kind), `${kind} in ${values}`);
      }
      const sa = objs.find((o) => o.kind === 'ServiceAccount')?.metadata.name;
      if (file === 'star') {
        assert.ok(sa, 'ServiceAccount');
        const kc = rig.tokenKubeconfig('star', rig.token(sa!, sns), sns);
        const canI = (...a: string[]) => rig.kubectlRaw(['--kubeconfig', kc, 'auth', 'can-i', ...a]).stdout.trim();
        assert.equal(canI('list', 'pods', '-n', sns), 'yes');
        assert.equal(canI('create', 'pods', '--subresource=exec', '-n', sns), 'no', 'no exec permission in star mode');
        assert.equal(canI('get', 'secrets', '-n', sns), 'no');
        // and that is enough for a star run: discovery through the API, the client started locally
        // (here: inside node-a's lab namespace, as a runner pod with hostNetwork on node-a would be)
        const lab = rig.labNodes();
        const run = runRunner(['--mode', 'star', '--source-node', 'node-a', '--iperf3', join(rig.state, 'wrap/iperf3'),
          '--kubeconfig', kc, '--namespace', sns, '--duration', '1', '--omit', '0', '--output', 'json', '--log-level', 'error'],
          { IPERF3_MONITOR_K8S_NETNS: lab.get('node-a')!.netns });
        assert.equal(run.status, 0, run.stderr);
        const pairs = results(run.stdout);
        assert.deepEqual(pairs.map((p) => `${p.source_node}>${p.destination_node}`).sort(), ['node-a>node-b', 'node-a>node-c']);
        for (const p of pairs) assert.ok(p.success, `${p.source_node}->${p.destination_node}: ${p.error}`);
      } else {
        const deploy = objs.find((o) => o.kind === 'Deployment');
        const svc = objs.find((o) => o.kind === 'Service');
        assert.ok(deploy && svc, 'bundled Pushgateway Deployment + Service');
        const ready = rig.kubectlJson<any>(['get', 'deployment', deploy!.metadata.name, '-n', sns]);
        assert.equal(ready.status.readyReplicas, ready.spec.replicas);
        const cj = objs.find((o) => o.kind === 'CronJob')!;
        const c = cj.spec.jobTemplate.spec.template.spec.containers[0];
        const text = JSON.stringify([c.args ?? [], c.env ?? []]);
        assert.match(text, new RegExp(svc!.metadata.name), 'runner pointed at the bundled Pushgateway Service');
      }
      assert.equal(rig.helm(['uninstall', `s-${file}`, '-n', sns, '--wait']).status, 0);
      await waitFor('scenario server pods gone', () => rig.kubectlJson<{ items: any[] }>(['get', 'pods', '-n', sns, '-l', 'app.kubernetes.io/component=server']).items.length === 0);
    });
  }
});
