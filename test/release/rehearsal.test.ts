// The release rehearsed against a real registry (test/release/registry.ts, on loopback): `npm run release`
// builds the runner and server images from the Dockerfile (npm run image, buildah), pushes them with the
// release's tags and packages and pushes the chart. What a user would pull is then read back from the
// registry: the chart's metadata and default images (helm), the images' tags and labels (skopeo), and the
// version the runner in the image prints. Needs root (buildah). The chart installed from this registry on
// real nodes: test/release/rehearsal-nodes.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { helm } from '../chart/helm.ts';
import { startRegistry, type Registry } from './registry.ts';

const version = '1.2.3';
const revision = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const source = /org\.opencontainers\.image\.source="([^"]+)"/.exec(execFileSync('git', ['show', 'HEAD:Dockerfile'], { encoding: 'utf8' }))![1];
let reg: Registry;
let out: string;
// The JSON summary `npm run release` prints.
let summary: { version: string; registry: string; revision: string; images: Record<string, { tags: string[]; digest: string }>; chart: { ref: string; digest: string } };

const sh = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, KUBECONFIG: '/dev/null' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
};
const inspect = (ref: string) =>
  JSON.parse(sh('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`])) as { Digest: string; Labels: Record<string, string>; Architecture: string };

before(async () => {
  reg = await startRegistry('127.0.0.1');
  out = mkdtempSync(join(tmpdir(), 'iperf3-monitor-release-out-'));
  const r = spawnSync('npm', ['run', '--silent', 'release', '--', '--version', version, '--registry', reg.address, '--out', out], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  assert.equal(r.status, 0, `npm run release failed:\n${r.stdout}`);
  summary = JSON.parse(r.stdout);
});

after(async () => {
  await reg?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

test('the release pushes the runner and server images as X.Y.Z, X.Y and sha-<commit>', () => {
  const tags = [version, '1.2', `sha-${revision.slice(0, 7)}`];
  assert.deepEqual(Object.keys(summary.images), [`${reg.address}/iperf3-monitor`, `${reg.address}/iperf3-monitor-server`]);
  for (const [repo, pushed] of Object.entries(summary.images)) {
    assert.deepEqual(pushed.tags, tags);
    const listed = JSON.parse(sh('skopeo', ['list-tags', '--tls-verify=false', `docker://${repo}`])) as { Tags: string[] };
    assert.deepEqual(listed.Tags.sort(), [...tags].sort(), repo);
    for (const tag of tags) assert.equal(inspect(`${repo}:${tag}`).Digest, pushed.digest, `${repo}:${tag} is the same image`);
  }
});

test('the images carry the version, the revision and the source in their OCI labels', () => {
  for (const [repo, title] of [[`${reg.address}/iperf3-monitor`, 'iperf3-monitor'], [`${reg.address}/iperf3-monitor-server`, 'iperf3-monitor-server']]) {
    const labels = inspect(`${repo}:${version}`).Labels;
    assert.equal(labels['org.opencontainers.image.version'], version, repo);
    assert.equal(labels['org.opencontainers.image.revision'], revision, repo);
    assert.equal(labels['org.opencontainers.image.source'], source, repo);
    assert.equal(labels['org.opencontainers.image.title'], title, repo);
    assert.equal(labels['org.opencontainers.image.licenses'], 'Apache-2.0', repo);
    assert.match(labels['org.opencontainers.image.created'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, repo);
  }
});

test('helm show chart of the pulled chart shows the release version as version and appVersion', () => {
  const chart = parse(sh(helm(), ['show', 'chart', summary.chart.ref, '--version', version, '--plain-http']));
  assert.equal(summary.chart.ref, `oci://${reg.address}/charts/iperf3-monitor`);
  assert.equal(chart.name, 'iperf3-monitor');
  assert.equal(chart.version, version);
  assert.equal(chart.appVersion, version);
});

test("the pulled chart's default images are the ones this release pushed", () => {
  const rendered = parseAllDocuments(sh(helm(), ['template', 'rel', summary.chart.ref, '--version', version, '--plain-http']))
    .map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec: { containers: { image: string }[] } }; jobTemplate?: { spec: { template: { spec: { containers: { image: string }[] } } } } } } | null)
    .filter((o) => o !== null);
  const image = (kind: string) => {
    const o = rendered.find((x) => x.kind === kind)!;
    const spec = kind === 'CronJob' ? o.spec!.jobTemplate!.spec.template.spec : o.spec!.template!.spec;
    return spec.containers[0]!.image;
  };
  assert.equal(image('CronJob'), `${reg.address}/iperf3-monitor:${version}`);
  assert.equal(image('DaemonSet'), `${reg.address}/iperf3-monitor-server:${version}`);
});

test('the runner in the pushed image prints the release version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-unpack-'));
  try {
    sh('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${reg.address}/iperf3-monitor:${version}`, `oci:${dir}/oci:${version}`]);
    sh('umoci', ['unpack', '--image', `${dir}/oci:${version}`, `${dir}/bundle`]);
    const printed = sh('chroot', ['--userspec=65532:65532', `${dir}/bundle/rootfs`, '/nodejs/bin/node', '/app/iperf3-monitor.mjs', '--version']);
    // The release version first, then the revision the build stage was given (REVISION) and the image's Node.js.
    assert.match(printed, new RegExp(`^${version.replace(/\./g, '\\.')} \\(revision [0-9a-f]{7,40}, Node\\.js 2\\d\\.\\d+\\.\\d+\\)\n$`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
