// The images built from the Dockerfile (`npm run image`: buildah, stand-in bases from test/images/), checked
// as built: the chart's default references, OCI labels, no shell and no Node.js in the server image, the
// runtime versions, no build-time CA in either, iperf3-bounded stopping a real client in the server image,
// and a real TCP and UDP cycle by the runner image against the server image's iperf3 on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chartImageRefs } from './build.mjs';
import { startIperf3Server, type Iperf3Server } from '../support/iperf3-server.ts';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/wait-for.ts';

interface Built {
  target: 'runner' | 'server';
  ref: string;
  id: string;
  archive: string;
  bytes: number;
}

let images: Built[] = [];
const mounts: { container: string; root: string }[] = [];
let iperf3: Iperf3Server;

const buildah = (...args: string[]) => execFileSync('buildah', args, { encoding: 'utf8' }).trim();
const byTarget = (t: Built['target']) => images.find((i) => i.target === t)!;

/** The image's root filesystem, mounted read-only through a working container. */
function rootOf(ref: string): string {
  const container = buildah('from', '--quiet', '--pull-never', ref);
  const root = buildah('mount', container);
  mounts.push({ container, root });
  return root;
}

function config(ref: string) {
  return JSON.parse(buildah('inspect', '--type', 'image', ref)).OCIv1.config as {
    User?: string;
    Env?: string[];
    Entrypoint?: string[];
    Cmd?: string[];
    Labels?: Record<string, string>;
  };
}

/** `buildah run` in a fresh container of the image (chroot isolation, host network). */
function runIn(ref: string, args: string[], opts: { volume?: string } = {}) {
  const container = buildah('from', '--quiet', '--pull-never', ref);
  try {
    return spawnSync('buildah', ['run', '--isolation', 'chroot', ...(opts.volume ? ['--volume', opts.volume] : []), container, '--', ...args], {
      encoding: 'utf8',
      timeout: 120_000,
    });
  } finally {
    buildah('rm', container);
  }
}

before(async () => {
  execFileSync(process.execPath, ['test/images/build.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] });
  images = JSON.parse(readFileSync('dist/image/images.json', 'utf8'));
  iperf3 = await startIperf3Server();
});

after(() => {
  iperf3?.stop();
  for (const m of mounts) spawnSync('buildah', ['rm', m.container], { stdio: 'ignore' });
});

test('npm run image tags both images with the chart default references and names them in their archives', () => {
  const values = parse(readFileSync('charts/iperf3-monitor/values.yaml', 'utf8'));
  const chart = parse(readFileSync('charts/iperf3-monitor/Chart.yaml', 'utf8'));
  const refs = chartImageRefs(values, chart);
  assert.equal(refs.server, `${values.server.image.repository}:${chart.appVersion}`);
  assert.deepEqual(images.map((i) => [i.target, i.ref, i.archive]).sort(), [
    ['runner', refs.runner, 'dist/image/runner.oci.tar'],
    ['server', refs.server, 'dist/image/server.oci.tar'],
  ]);
  for (const i of images) {
    const index = JSON.parse(execFileSync('tar', ['-xOf', i.archive, 'index.json'], { encoding: 'utf8' }));
    assert.deepEqual(index.manifests.map((m: { annotations?: Record<string, string> }) => m.annotations?.['org.opencontainers.image.ref.name']), [i.ref]);
    assert.equal(buildah('inspect', '--type', 'image', '--format', '{{.FromImageID}}', i.ref), i.id, `${i.ref} is the image in ${i.archive}`);
  }
});

test('both images carry the OCI version, revision and created labels of this checkout', () => {
  const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
  const revision = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const created = new Date(Number(execFileSync('git', ['log', '-1', '--format=%ct'], { encoding: 'utf8' })) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  for (const [target, title] of [['runner', 'iperf3-monitor'], ['server', 'iperf3-monitor-server']] as const) {
    const labels = config(byTarget(target).ref).Labels ?? {};
    assert.equal(labels['org.opencontainers.image.title'], title);
    assert.equal(labels['org.opencontainers.image.version'], version, target);
    assert.equal(labels['org.opencontainers.image.revision'], revision, target);
    assert.equal(labels['org.opencontainers.image.created'], created, target);
  }
});

test('the server image holds iperf3 and iperf3-bounded and no shell, no Node.js, no package manager', () => {
  const { ref } = byTarget('server');
  const root = rootOf(ref);
  for (const f of ['usr/bin/iperf3', 'usr/bin/iperf3-bounded']) assert.ok(existsSync(join(root, f)), f);
  for (const f of ['bin/sh', 'usr/bin/sh', 'usr/bin/bash', 'usr/bin/dash', 'usr/bin/busybox', 'usr/bin/apt-get', 'usr/bin/dpkg', 'nodejs/bin/node', 'usr/local/bin/node', 'usr/bin/node']) {
    assert.ok(!existsSync(join(root, f)), `${f} is in the server image`);
  }
  assert.deepEqual(readdirSync(join(root, 'usr/bin')).sort(), ['iperf3', 'iperf3-bounded']);
  const c = config(ref);
  assert.equal(c.User, '65532:65532');
  assert.deepEqual(c.Entrypoint, ['/usr/bin/iperf3']);
  assert.deepEqual(c.Cmd, ['-s']);
  const r = runIn(ref, ['/bin/sh', '-c', 'true']);
  assert.notEqual(r.status, 0, 'a shell ran in the server image');
});

test('both images run iperf3 3.16 or newer, and the runner Node.js 22 or newer', () => {
  for (const { ref } of images) {
    const r = runIn(ref, ['/usr/bin/iperf3', '--version']);
    const minor = Number(/^iperf 3\.(\d+)/.exec(r.stdout)?.[1]);
    assert.ok(minor >= 16, `${ref}: ${r.stdout}${r.stderr}`);
  }
  const node = runIn(byTarget('runner').ref, ['/nodejs/bin/node', '--version']);
  assert.ok(Number(/^v(\d+)\./.exec(node.stdout)?.[1]) >= 22, node.stdout + node.stderr);
});

test('neither image carries the build stage CA bundle or NODE_EXTRA_CA_CERTS', () => {
  for (const { ref } of images) {
    const c = config(ref);
    assert.ok(!(c.Env ?? []).some((e) => e.startsWith('NODE_EXTRA_CA_CERTS=')), `${ref}: ${c.Env}`);
    assert.ok(!existsSync(join(rootOf(ref), 'usr/local/share/ca-certificates/host-bundle.pem')), ref);
  }
});

test('iperf3-bounded in the server image stops a running client when its stdin closes', async () => {
  const { ref } = byTarget('server');
  const container = buildah('from', '--quiet', '--pull-never', ref);
  const clientArgs = ['-c', '127.0.0.1', '-p', String(iperf3.port), '-t', '60', '-b', '10M', '-J', '--logfile', '/dev/null'];
  const p = spawn('buildah', ['run', '--isolation', 'chroot', container, '--', '/usr/bin/iperf3-bounded', '--deadline', '60', '--', '/usr/bin/iperf3', ...clientArgs], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  p.stderr.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => p.on('close', resolve));
  const running = () => spawnSync('pgrep', ['-f', `^/usr/bin/iperf3 ${clientArgs.join(' ')}$`]).status === 0;
  try {
    await waitFor('the client in the server image', running);
    p.stdin.end();
    assert.equal(await exit, 129, stderr);
    assert.match(stderr, /iperf3-bounded: stdin closed after/);
    assert.equal(running(), false, 'an iperf3 -c is left');
  } finally {
    buildah('rm', container);
  }
});

test('a client in the server image under iperf3-bounded (the mesh path) completes tests: exit 0 and JSON', async () => {
  const container = buildah('from', '--quiet', '--pull-never', byTarget('server').ref);
  try {
    for (const udp of [[], ['-u', '-b', '10M']]) {
      // stdin stays open until the command exits, as a pods/exec stream does
      const p = spawn('buildah', ['run', '--isolation', 'chroot', container, '--', '/usr/bin/iperf3-bounded', '--deadline', '30', '--', 'iperf3',
        '-c', '127.0.0.1', '-p', String(iperf3.port), '-t', '1', '-J', ...udp], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      const code = await new Promise<number | null>((resolve) => p.on('close', resolve));
      p.stdin.end();
      assert.equal(code, 0, out + err);
      const json = JSON.parse(out);
      assert.equal(json.error, undefined, out);
      assert.ok(json.end.sum_sent?.bytes > 0 || json.end.sum?.bytes > 0, out);
    }
  } finally {
    buildah('rm', container);
  }
});

test('the runner image runs a real TCP and UDP cycle against the server image, iperf3 3.18 on both ends', async () => {
  const port = await freePort();
  const values = parse(readFileSync('charts/iperf3-monitor/values.yaml', 'utf8'));
  const container = buildah('from', '--quiet', '--pull-never', byTarget('server').ref);
  // the chart's server arguments (templates/daemonset.yaml), on a free loopback port
  const serverArgs = ['-s', '-p', String(port), '-B', '127.0.0.1', '--rcv-timeout', String(values.server.rcvTimeoutMs), '--idle-timeout', String(values.server.idleTimeoutSeconds)];
  const server = spawn('buildah', ['run', '--isolation', 'chroot', container, '--', '/usr/bin/iperf3', ...serverArgs], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'img-targets-'));
  try {
    await waitFor('iperf3 -s of the server image', () => execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim() !== '');
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'targets.json'), JSON.stringify([{ node: 'server-image', ip: '127.0.0.1', port }]));
    const r = runIn(
      byTarget('runner').ref,
      ['/nodejs/bin/node', '/app/iperf3-monitor.mjs', 'run', '--targets', '/targets/targets.json', '--mode', 'star', '--source-node', 'runner-image',
        '--protocols', 'tcp,udp', '--udp-bitrate', '20M', '--duration', '1', '--omit', '0', '--output', 'json', '--log-level', 'warn'],
      { volume: `${dir}:/targets:ro` },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.summary, { pairs: 2, success: 2, failure: 0, skipped: 0 }, r.stdout);
    const byProtocol = Object.fromEntries(report.pairs.map((p: { protocol: string }) => [p.protocol, p]));
    for (const protocol of ['tcp', 'udp']) {
      const pair = byProtocol[protocol];
      assert.deepEqual([pair.source_node, pair.destination_node, pair.status], ['runner-image', 'server-image', 'success'], protocol);
      assert.ok(pair.bandwidth_mbps > 0, `${protocol}: ${pair.bandwidth_mbps}`);
    }
    assert.ok(byProtocol.udp.packets > 0 && byProtocol.udp.jitter_ms !== null, JSON.stringify(byProtocol.udp));
    // iperf3 >= 3.16 ends every test with pthread_cancel, which needs libgcc_s: without it the server
    // aborted after its first test ("libgcc_s.so.1 must be installed for pthread_cancel to work").
    assert.equal(server.exitCode, null, 'the server of the server image is still running after two tests');
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('close', resolve));
    spawnSync('pkill', ['-f', `^/usr/bin/iperf3 ${serverArgs.join(' ')}$`]);
    buildah('rm', container);
    rmSync(dir, { recursive: true, force: true });
  }
});
