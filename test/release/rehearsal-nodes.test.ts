// The rehearsed release installed the way a user installs it: `helm install oci://…` from a real registry
// onto the rig's real nodes (test/k8s/rig.sh up-real: kubelets with containerd and runc), whose containerd
// *pulls* both images from that registry. Nothing is side-loaded: the release's image references name the
// registry's own address and port, chosen at run time, so no node can hold them beforehand (checked), and
// each pod's imageID must be the digest the release pushed. The servers run on every node; a Job created
// from the CronJob runs the full mesh through pods/exec, pushes to the bundled Pushgateway and completes.
// The registry listens on the lab bridge's host address, where the nodes reach it over plain HTTP through a
// hosts.toml in the directory their containerd reads ($IPERF3_MONITOR_K8S_STATE/registry-hosts, node.sh).
// Needs root; one rig per machine.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rig } from '../k8s/rig.ts';
import { startRegistry, type Registry } from './registry.ts';

const version = '1.2.3';
const nodes = ['node-a', 'node-b', 'node-c'];
const ns = 'release-rehearsal';

describe('the released chart and images on real nodes, pulled from the registry', () => {
  const rig = new Rig();
  let reg: Registry;
  let out = '';
  let pushed: Record<string, { digest: string }> = {};
  let image: { runner: string; server: string };

  before(async () => {
    rig.upReal(nodes);
    const bridge = new URL(rig.server()).hostname; // the API server listens on the lab bridge's host address
    reg = await startRegistry(bridge);
    image = { runner: `${reg.address}/iperf3-monitor`, server: `${reg.address}/iperf3-monitor-server` };
    const hosts = join(rig.state, 'registry-hosts', reg.address);
    mkdirSync(hosts, { recursive: true });
    writeFileSync(join(hosts, 'hosts.toml'), `server = "http://${reg.address}"\n\n[host."http://${reg.address}"]\n  capabilities = ["pull", "resolve"]\n`);
    out = mkdtempSync(join(tmpdir(), 'iperf3-monitor-release-out-'));
    const r = spawnSync('npm', ['run', '--silent', 'release', '--', '--version', version, '--registry', reg.address, '--out', out], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 << 20,
    });
    assert.equal(r.status, 0, `npm run release failed:\n${r.stdout}`);
    pushed = JSON.parse(r.stdout).images;
  });

  after(async () => {
    rig.helm(['uninstall', 'rel', '-n', ns, '--wait']);
    rig.down();
    await reg?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  test('no node holds an image of the registry before the install', () => {
    for (const node of nodes) assert.ok(!rig.ctr(node, ['images', 'ls', '-q']).includes(reg.address), node);
  });

  test('helm install from the registry: a server pulled from the registry runs on every node', () => {
    rig.kubectl(['create', 'namespace', ns]);
    rig.kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=privileged']);
    const h = rig.helm(['install', 'rel', `oci://${reg.address}/charts/iperf3-monitor`, '--version', version, '--plain-http', '-n', ns,
      '--set', 'pushgateway.enabled=true', '--set', 'runner.suspend=true',
      '--set', 'runner.duration=2', '--set', 'runner.omit=0', '--wait', '--timeout', '5m']);
    assert.equal(h.status, 0, h.stderr);
    const pods = rig.kubectlJson<{ items: any[] }>(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=server']).items;
    assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), nodes);
    for (const p of pods) {
      assert.equal(p.status.phase, 'Running', p.metadata.name);
      const c = p.status.containerStatuses[0];
      assert.equal(c.ready, true, p.metadata.name);
      assert.equal(c.image, `${image.server}:${version}`);
      assert.equal(c.imageID, `${image.server}@${pushed[image.server]!.digest}`, `${p.metadata.name} runs the pushed image`);
    }
    for (const node of nodes) assert.match(rig.ctr(node, ['images', 'ls', '-q']), new RegExp(`^${image.server.replaceAll('.', '\\.')}:${version.replaceAll('.', '\\.')}$`, 'm'), `${node} pulled it`);
  });

  test('a Job from the CronJob runs the runner image pulled from the registry and completes the mesh', () => {
    const cronjob = rig.kubectl(['get', 'cronjob', '-n', ns, '-o', 'name']).trim();
    assert.equal(cronjob, 'cronjob.batch/rel-iperf3-monitor');
    rig.kubectl(['create', 'job', '-n', ns, `--from=${cronjob}`, 'rehearsal']);
    const waited = rig.kubectlRaw(['wait', '-n', ns, '--for=condition=complete', 'job/rehearsal', '--timeout=300s']);
    const logs = rig.kubectlRaw(['logs', '-n', ns, 'job/rehearsal', '--tail=-1']).stdout;
    if (waited.status !== 0) {
      const pods = rig.kubectlRaw(['get', 'pods', '-n', ns, '-o', 'wide']).stdout;
      const events = rig.kubectlRaw(['get', 'events', '-n', ns, '--sort-by=.lastTimestamp']).stdout;
      assert.fail(`job/rehearsal did not complete: ${waited.stderr}\n${pods}\n${events}\n${logs}`);
    }
    assert.match(logs, /6 tests: 6 ok, 0 failed, 0 skipped in [\d.]+ s/);
    const pod = rig.kubectlJson<{ items: any[] }>(['get', 'pods', '-n', ns, '-l', 'job-name=rehearsal']).items[0];
    const c = pod.status.containerStatuses[0];
    assert.equal(c.image, `${image.runner}:${version}`);
    assert.equal(c.imageID, `${image.runner}@${pushed[image.runner]!.digest}`, 'the runner runs the pushed image');
  });
});
