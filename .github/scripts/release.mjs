#!/usr/bin/env node
// Performs a release against any OCI registry: the steps of .github/workflows/release.yml, on this machine.
//
//   npm run release -- --version X.Y.Z [--registry HOST[:PORT][/PATH]] [--only images|chart]
//                      [--out DIR] [--plain-http | --tls]
//
// 1. A checkout of HEAD in a staging directory (a release is of a commit: uncommitted changes are left
//    out, with a warning) gets the version everywhere (.github/scripts/version.mjs set) and the registry
//    in the chart's image repositories.
// 2. images: `npm run image` builds the Dockerfile's runner and `server` targets there (buildah, this
//    machine's architecture), with the version, revision and creation time as build arguments and so as
//    labels, tagged with the chart's default references; skopeo pushes each to
//    <registry>/iperf3-monitor[-server] as X.Y.Z, X.Y (not for pre-releases) and sha-<commit>.
// 3. chart: the chart docs are regenerated, the chart is linted, packaged into --out (default
//    dist/release) and pushed to oci://<registry>/charts/iperf3-monitor:X.Y.Z. Its default image tag is
//    its appVersion, so it installs the images of step 2.
// --registry defaults to REGISTRY in .github/release.env. Plain HTTP is used for localhost and IP
// addresses unless --tls; --plain-http forces it. Prints what it pushed, with digests.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REGISTRY, SEMVER, refs, registry as configuredRegistry, setRegistry, setVersion } from './version.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

class ReleaseError extends Error {
  name = 'ReleaseError';
}

const log = (msg) => process.stderr.write(`[release] ${msg}\n`);

/** Parses the command line; every mistake names the flag. */
export function parseArgs(argv) {
  const o = { version: '', registry: '', only: '', out: 'dist/release', plainHttp: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new ReleaseError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--version') o.version = value();
    else if (flag === '--registry') o.registry = value();
    else if (flag === '--only') o.only = value();
    else if (flag === '--out') o.out = value();
    else if (flag === '--plain-http') o.plainHttp = true;
    else if (flag === '--tls') o.plainHttp = false;
    else throw new ReleaseError(`unknown argument ${JSON.stringify(a)}`);
  }
  if (!o.version) throw new ReleaseError('--version X.Y.Z is required');
  if (!SEMVER.test(o.version)) throw new ReleaseError(`--version: ${JSON.stringify(o.version)} is not a version X.Y.Z (optionally -prerelease)`);
  o.registry ||= configuredRegistry(repo);
  if (!REGISTRY.test(o.registry)) throw new ReleaseError(`--registry: ${JSON.stringify(o.registry)} is not HOST[:PORT][/PATH] in lowercase`);
  if (!['', 'images', 'chart'].includes(o.only)) throw new ReleaseError(`--only: ${JSON.stringify(o.only)} is not images or chart`);
  const host = o.registry.split('/')[0].replace(/:\d+$/, '');
  o.plainHttp ??= host === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
  return o;
}

/** The image tags of a release: X.Y.Z, X.Y (not for pre-releases), sha-<7 hex>, as the workflow's metadata-action. */
export function imageTags(version, revision) {
  const [, major, minor, , pre] = SEMVER.exec(version);
  return [version, ...(pre ? [] : [`${major}.${minor}`]), `sha-${revision.slice(0, 7)}`];
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new ReleaseError(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new ReleaseError(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${(r.stderr || r.stdout).trim()}`);
  return opts.withStderr ? `${r.stdout}${r.stderr ?? ''}` : r.stdout;
}

/** A checkout of commit `revision` in a fresh directory (a release is of a commit, as on GitHub; uncommitted
 * changes are not in it), sharing this repository's objects. It installs its own node_modules (npm run image
 * does, through ensure-deps): a link to this repository's would let that `npm ci` empty them under a running
 * test suite. */
function stage(revision) {
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-release-'));
  run('git', ['clone', '--quiet', '--shared', '--no-checkout', repo, dir]);
  run('git', ['-C', dir, 'checkout', '--quiet', '--detach', revision]);
  return dir;
}

/** `npm run image` in the staging checkout: builds the runner and server images, tagged with the chart's
 * default references (there already the release's), into OCI archives; returns {runner, server} entries
 * of its dist/image/images.json ({target, ref, archive}). */
function buildImages(dir) {
  log(`building the images in ${dir} (npm run image)`);
  run('npm', ['run', '--silent', 'image'], { cwd: dir, stdio: ['ignore', 2, 2] }); // its report goes to stderr: stdout is the summary
  const listFile = join(dir, 'dist/image/images.json');
  if (!existsSync(listFile)) throw new ReleaseError(`npm run image left no ${listFile}`);
  const built = JSON.parse(readFileSync(listFile, 'utf8'));
  const pick = (target) => {
    const b = built.find((x) => x.target === target);
    if (!b) throw new ReleaseError(`npm run image built no ${target} image (${listFile})`);
    return { ...b, archive: resolve(dir, b.archive) };
  };
  return { runner: pick('runner'), server: pick('server') };
}

/** skopeo copy of an OCI archive to every tag; returns the manifest digest. */
function pushImage(archive, ref, tags, plainHttp) {
  const digestFile = join(dirname(archive), `${tags[0]}.digest`);
  let digest = '';
  for (const tag of tags) {
    run('skopeo', ['copy', '--quiet', `--dest-tls-verify=${!plainHttp}`, '--digestfile', digestFile, `oci-archive:${archive}`, `docker://${ref}:${tag}`]);
    digest = readFileSync(digestFile, 'utf8').trim();
    log(`pushed ${ref}:${tag} ${digest}`);
  }
  return digest;
}

function helm() {
  return execFileSync('bash', [join(repo, 'test/tools/install-helm.sh')], { encoding: 'utf8' }).trim();
}

/** Regenerates the chart docs in the staging copy, lints, packages into `out`, pushes; returns the chart reference. */
function releaseChart(dir, o, out) {
  const h = helm();
  run(process.execPath, [join(dir, 'test/tools/chart-docs.mjs')], { cwd: dir });
  run(h, ['lint', '--strict', 'charts/iperf3-monitor'], { cwd: dir, env: { ...process.env, KUBECONFIG: '/dev/null' } });
  mkdirSync(out, { recursive: true });
  run(h, ['package', 'charts/iperf3-monitor', '--destination', out], { cwd: dir });
  const tgz = join(out, `iperf3-monitor-${o.version}.tgz`);
  if (!existsSync(tgz)) throw new ReleaseError(`helm package left no ${tgz}`);
  log(`packaged ${tgz}`);
  const pushed = run(h, ['push', tgz, `oci://${o.registry}/charts`, ...(o.plainHttp ? ['--plain-http'] : [])], { cwd: dir, withStderr: true });
  const digest = /Digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1] ?? '';
  log(`pushed ${refs(o.registry).chart}:${o.version} ${digest}`);
  return { tgz, digest };
}

export function release(o) {
  const revision = run('git', ['-C', repo, 'rev-parse', 'HEAD']).trim();
  if (run('git', ['-C', repo, 'status', '--porcelain', '--untracked-files=no']).trim()) {
    log(`the working tree has uncommitted changes: releasing the commit ${revision.slice(0, 12)} without them`);
  }
  const dir = stage(revision);
  const summary = { version: o.version, registry: o.registry, revision, images: {}, chart: null };
  try {
    setVersion(dir, o.version);
    setRegistry(dir, o.registry);
    const r = refs(o.registry);
    if (o.only !== 'chart') {
      const tags = imageTags(o.version, revision);
      const built = buildImages(dir);
      for (const [b, ref] of [[built.runner, r.image], [built.server, r.serverImage]]) {
        if (b.ref !== `${ref}:${o.version}`) throw new ReleaseError(`npm run image tagged ${b.ref}, expected ${ref}:${o.version}`);
        try {
          summary.images[ref] = { tags, digest: pushImage(b.archive, ref, tags, o.plainHttp) };
        } finally {
          // the build tagged it in buildah's local storage; the layers stay cached under the default names
          spawnSync('buildah', ['rmi', b.ref], { stdio: 'ignore' });
        }
      }
    }
    if (o.only !== 'images') {
      const c = releaseChart(dir, o, resolve(o.out));
      summary.chart = { ref: r.chart, version: o.version, digest: c.digest, package: c.tgz };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return summary;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const summary = release(parseArgs(process.argv.slice(2)));
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } catch (e) {
    if (!(e instanceof ReleaseError) && e?.name !== 'VersionError') throw e;
    process.stderr.write(`release: ${e.message}\n`);
    process.exitCode = 1;
  }
}
