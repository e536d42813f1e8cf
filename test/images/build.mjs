// `npm run image`: builds the repository's Dockerfile, unchanged, with buildah (no Docker daemon, no
// registry) into OCI archives under dist/image/: the runner (default target) and the `server` target,
// tagged with the chart's default image references so that `helm install` with default values runs on
// nodes that hold them. The base images are local stand-ins (test/images/base-images.sh).
//
//   node test/images/build.mjs [--target runner|server]...   (default: both)
//
// Writes dist/image/runner.oci.tar, dist/image/server.oci.tar and dist/image/images.json
// ([{target, ref, id, budId, labels, archive, bytes, imageSize, seconds}]); prints one line per image. Needs root.
// org.opencontainers.image.created is the commit's time ($SOURCE_DATE_EPOCH wins), so a rebuild of the
// same tree yields the same image and its archive is not written again. One build at a time (flock).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(repo, 'dist/image');
const chartDir = join(repo, 'charts/iperf3-monitor');

/** The chart's default image references: `<repository>:<tag or appVersion>`, runner and server. */
export function chartImageRefs(values, chart) {
  const ref = (image, fallbackRepo) => {
    const repository = image?.repository || fallbackRepo;
    if (!repository) throw new Error(`${chartDir}/values.yaml: image.repository is empty`);
    return `${repository}:${image?.tag || chart.appVersion}`;
  };
  const runner = ref(values.image);
  return { runner, server: ref(values.server?.image, `${values.image.repository}-server`) };
}

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts }).trim();
}

/**
 * buildah 1.28's layer cache ignores build-arg values (and --label) in a LABEL step: an image whose
 * Dockerfile did not change keeps the labels of its first build. Set them again when they differ.
 */
function relabel(ref, want) {
  const have = JSON.parse(sh('buildah', ['inspect', '--type', 'image', ref])).OCIv1?.config?.Labels ?? {};
  const stale = Object.entries(want).filter(([k, v]) => have[k] !== v);
  if (stale.length === 0) return;
  const c = sh('buildah', ['from', '--quiet', '--pull-never', ref]);
  sh('buildah', ['config', ...stale.flatMap(([k, v]) => ['--label', `${k}=${v}`]), c]);
  sh('buildah', ['commit', '--quiet', '--format', 'docker', '--rm', c, ref]);
}

const imageId = (ref) => sh('buildah', ['inspect', '--type', 'image', '--format', '{{.FromImageID}}', ref]);

function main(argv) {
  const targets = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--target' && ['runner', 'server'].includes(argv[i + 1])) targets.push(argv[++i]);
    else throw new Error(`build.mjs: unknown argument ${argv[i]} ${argv[i + 1] ?? ''} (use --target runner|server)`);
  }
  if (targets.length === 0) targets.push('server', 'runner');
  if (process.getuid?.() !== 0) throw new Error('npm run image needs root (buildah storage, chroot isolation)');

  const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'));
  const refs = chartImageRefs(values, chart);
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  let revision = 'unknown';
  let epoch = Number(process.env.SOURCE_DATE_EPOCH) || 0;
  try {
    revision = sh('git', ['-C', repo, 'rev-parse', 'HEAD']);
    epoch ||= Number(sh('git', ['-C', repo, 'log', '-1', '--format=%ct']));
  } catch {
    // not a git checkout (a source tarball): revision unknown, created now
  }
  const created = new Date(epoch ? epoch * 1000 : Date.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  let previous = [];
  try {
    previous = JSON.parse(readFileSync(join(outDir, 'images.json'), 'utf8'));
  } catch {
    // first build
  }

  const t0 = performance.now();
  const r = spawnSync(join(repo, 'test/images/base-images.sh'), ['ensure'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`test/images/base-images.sh ensure failed (exit ${r.status})`);
  const baseSeconds = (performance.now() - t0) / 1000;

  mkdirSync(outDir, { recursive: true });
  const built = [];
  for (const target of targets) {
    const ref = refs[target];
    const t = performance.now();
    const bud = spawnSync(
      'buildah',
      ['bud', '--isolation', 'chroot', '--network', 'host', '--pull-never', '--format', 'docker', '--layers',
        ...(target === 'server' ? ['--target', 'server'] : []),
        '--build-arg', `VERSION=${pkg.version}`, '--build-arg', `REVISION=${revision}`, '--build-arg', `CREATED=${created}`,
        '--tag', ref, '--file', join(repo, 'Dockerfile'), repo],
      { stdio: ['ignore', process.env.IMAGE_VERBOSE ? 'inherit' : 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    if (bud.status !== 0) {
      if (bud.stdout) process.stderr.write(bud.stdout.split('\n').slice(-40).join('\n'));
      throw new Error(`buildah bud of the ${target} image (${ref}) failed (exit ${bud.status})`);
    }
    const labels = {
      'org.opencontainers.image.version': pkg.version,
      'org.opencontainers.image.revision': revision,
      'org.opencontainers.image.created': created,
    };
    const budId = imageId(ref);
    const archive = join(outDir, `${target}.oci.tar`);
    const last = previous.find((p) => p.target === target && p.ref === ref && p.budId === budId && JSON.stringify(p.labels) === JSON.stringify(labels));
    let id;
    if (last && existsSync(archive) && spawnSync('buildah', ['tag', last.id, ref], { stdio: 'ignore' }).status === 0) {
      id = last.id; // the same build as last time: its image and archive stand
    } else {
      relabel(ref, labels);
      id = imageId(ref);
      rmSync(`${archive}.tmp`, { force: true });
      sh('buildah', ['push', '--quiet', ref, `oci-archive:${archive}.tmp:${ref}`]);
      renameSync(`${archive}.tmp`, archive);
    }
    const imageSize = JSON.parse(sh('buildah', ['images', '--json', ref]))[0]?.size ?? 'unknown';
    const seconds = Math.round((performance.now() - t) / 100) / 10;
    built.push({ target, ref, id, budId, labels, archive: relative(repo, archive), bytes: statSync(archive).size, imageSize, seconds });
  }
  const kept = previous.filter((p) => !targets.includes(p.target));
  writeFileSync(join(outDir, 'images.json'), `${JSON.stringify([...kept, ...built], null, 2)}\n`);
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  for (const b of built) {
    console.log(`${b.archive}  ${b.ref}  archive ${mb(b.bytes)}, image ${b.imageSize}  built in ${b.seconds} s`);
  }
  console.log(`base stand-ins ${baseSeconds.toFixed(1)} s, total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (!process.env.IPERF3_MONITOR_IMAGE_LOCKED) {
      // Re-run under flock: two builds at once would race on the tags and the archives.
      mkdirSync(outDir, { recursive: true });
      const r = spawnSync('flock', [join(outDir, '.lock'), process.execPath, ...process.argv.slice(1)], {
        stdio: 'inherit',
        env: { ...process.env, IPERF3_MONITOR_IMAGE_LOCKED: '1' },
      });
      process.exit(r.status ?? 1);
    }
    main(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exitCode = 1;
  }
}
