#!/usr/bin/env node
// Performs a release against any OCI registry: the steps of .github/workflows/release.yml, on this machine.
//
//   npm run release -- --version X.Y.Z [--registry HOST[:PORT][/PATH]] [--only images|chart]
//                      [--out DIR] [--plain-http | --tls]
//
// 1. A staging copy of the working tree (tracked and new files; node_modules linked) gets the version
//    everywhere (.github/scripts/version.mjs set) and the registry in the chart's image repositories.
// 2. images: `npm run image` builds the Dockerfile's runner and `server` targets there (buildah, this
//    machine's architecture) with the version, revision and creation time as build arguments and labels;
//    skopeo pushes each to <registry>/iperf3-monitor[-server] as X.Y.Z, X.Y (not for pre-releases) and
//    sha-<commit>.
// 3. chart: the chart docs are regenerated, the chart is linted, packaged into --out (default
//    dist/release) and pushed to oci://<registry>/charts/iperf3-monitor:X.Y.Z. Its default image tag is
//    its appVersion, so it installs the images of step 2.
// --registry defaults to REGISTRY in .github/release.env. Plain HTTP is used for localhost and IP
// addresses unless --tls; --plain-http forces it. Prints what it pushed, with digests.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
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

/** Copies the working tree's tracked and new (not ignored) files to a fresh directory; links node_modules. */
function stage() {
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-release-'));
  const listed = run('git', ['-C', repo, 'ls-files', '-z', '--cached', '--others', '--exclude-standard']).split('\0').filter(Boolean);
  for (const f of listed) {
    if (!existsSync(join(repo, f))) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(repo, f), join(dir, f), { verbatimSymlinks: true });
  }
  if (existsSync(join(repo, 'node_modules'))) symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** The archives `npm run image` leaves under dist/image/: {runner, server}. */
function buildImages(dir, version, revision, created, source) {
  log(`building the images in ${dir} (npm run image)`);
  const env = {
    ...process.env,
    IMAGE_VERSION: version,
    IMAGE_REVISION: revision,
    IMAGE_CREATED: created,
    IMAGE_SOURCE: source,
  };
  const out = run('npm', ['run', '--silent', 'image'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const archives = out.split('\n').map((l) => l.trim()).filter((l) => /dist\/image\/\S+\.tar$/.test(l));
  const abs = (p) => resolve(dir, p);
  const server = archives.find((p) => /server/.test(p.split('/').pop()));
  const runner = archives.find((p) => p !== server);
  if (!runner || !server) throw new ReleaseError(`npm run image printed no runner and server archives under dist/image/:\n${out}`);
  return { runner: abs(runner), server: abs(server) };
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
  run(process.execPath, [join(dir, 'src/build/chart-docs.mjs')], { cwd: dir });
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
  const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const source = /org\.opencontainers\.image\.source="([^"]+)"/.exec(readFileSync(join(repo, 'Dockerfile'), 'utf8'))?.[1] ?? '';
  const dir = stage();
  const summary = { version: o.version, registry: o.registry, revision, images: {}, chart: null };
  try {
    setVersion(dir, o.version);
    setRegistry(dir, o.registry);
    const r = refs(o.registry);
    if (o.only !== 'chart') {
      const tags = imageTags(o.version, revision);
      const archives = buildImages(dir, o.version, revision, created, source);
      summary.images[r.image] = { tags, digest: pushImage(archives.runner, r.image, tags, o.plainHttp) };
      summary.images[r.serverImage] = { tags, digest: pushImage(archives.server, r.serverImage, tags, o.plainHttp) };
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
