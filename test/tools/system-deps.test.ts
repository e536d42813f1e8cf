// test/tools/system-deps.sh, the one installer of Debian packages (npm test, npm run demo, npm run image):
// its groups cover what the lab and the image build call, it is a no-op when everything is there, and the
// shell scripts of the repository pass shellcheck. (That it installs them on a fresh Debian 12 was shown
// once in a mmdebstrap bookworm chroot; see README "What npm test installs".)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const deps = (...args: string[]) => spawnSync('bash', ['test/tools/system-deps.sh', ...args], { encoding: 'utf8' });
const list = (...groups: string[]) => deps('--list', ...groups).stdout.trim().split('\n');

test('the demo group is what the lab runs: ip and tc, iperf3, the Pushgateway', () => {
  assert.deepEqual(list('demo'), ['iperf3', 'iproute2', 'prometheus-pushgateway']);
});

test('the image group has the daemonless builder and the rootfs tools; every group is in the default', () => {
  for (const p of ['buildah', 'mmdebstrap', 'umoci', 'skopeo', 'fuse-overlayfs', 'uidmap']) assert.ok(list('image').includes(p), p);
  const all = list();
  for (const g of ['demo', 'image', 'nodes', 'test']) for (const p of list(g)) assert.ok(all.includes(p), `${g}: ${p}`);
  for (const p of ['containerd', 'runc', 'containernetworking-plugins', 'iptables', 'conntrack', 'gcc', 'libc6-dev', 'prometheus', 'prometheus-alertmanager', 'shellcheck', 'unzip', 'curl', 'openssl', 'jq']) {
    assert.ok(all.includes(p), p);
  }
});

test('with everything installed it is a silent no-op; an unknown group is an error naming it', () => {
  const r = deps();
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout + r.stderr, '');
  const bad = deps('docs');
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'system-deps.sh: unknown group "docs" (groups: demo image nodes test)\n');
});

test('every shell script of the repository passes shellcheck', () => {
  const find = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? (e.name === 'node_modules' ? [] : find(join(dir, e.name))) : e.name.endsWith('.sh') ? [join(dir, e.name)] : [],
    );
  const scripts = [...find('test'), ...find('src'), '.ci/run'];
  assert.ok(scripts.includes('test/tools/system-deps.sh') && scripts.includes('test/images/base-images.sh'));
  execFileSync('shellcheck', scripts, { stdio: 'inherit' });
});
