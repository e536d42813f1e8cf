// One version everywhere: package.json and its lock, Chart.yaml version/appVersion, src/version.ts (what
// `--version` prints, also in the image), the Dockerfile's VERSION argument, the chart's default image tag;
// one registry (.github/release.env) behind the chart's image repositories and the README's install
// section. The bump procedure (`npm version X.Y.Z`, which runs .github/scripts/version.mjs sync) is run
// for real on a copy of the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { template, one, podSpec } from '../chart/helm.ts';
// @ts-expect-error: a plain .mjs script without type declarations
import { problems, versions, registry } from '../../.github/scripts/version.mjs';

const script = '.github/scripts/version.mjs';
const pkgVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const carriers = [
  'package.json',
  'package-lock.json',
  'charts/iperf3-monitor/Chart.yaml',
  'charts/iperf3-monitor/values.yaml',
  'charts/iperf3-monitor/README.md',
  'src/version.ts',
  'Dockerfile',
  '.github/release.env',
  '.github/scripts/version.mjs',
  'README.md',
  'CHANGELOG.md',
];

/** A git repository holding copies of the files that carry the version and registry. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-version-'));
  for (const f of carriers) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(f, join(dir, f));
  }
  const git = (...a: string[]) => execFileSync('git', ['-C', dir, ...a], { stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'copy');
  return dir;
}

test('every copy of the version agrees and the registry matches the chart and the README', () => {
  const r = spawnSync(process.execPath, [script, 'check'], { encoding: 'utf8' });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `version ${pkgVersion}, registry ${registry()}: in step\n`);
  assert.equal(r.status, 0);
  const places = versions().map(([where]: [string, string]) => where);
  assert.deepEqual(places.slice(0, 6), [
    'package.json version',
    'package-lock.json version',
    'package-lock.json packages[""].version',
    'charts/iperf3-monitor/Chart.yaml version',
    'charts/iperf3-monitor/Chart.yaml appVersion',
    'src/version.ts version',
  ]);
  assert.ok(places.length > 6, 'the Dockerfile has an ARG VERSION');
  for (const p of places.slice(6)) assert.match(p, /^Dockerfile ARG VERSION( \(\d of \d\))?$/);
});

test('the built CLI prints the version with no package.json anywhere near it (as in the image)', () => {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-cli-'));
  try {
    copyFileSync('dist/iperf3-monitor.mjs', join(dir, 'iperf3-monitor.mjs'));
    const printed = execFileSync(process.execPath, [join(dir, 'iperf3-monitor.mjs'), '--version'], { cwd: dir, encoding: 'utf8' });
    // "X.Y.Z (revision R, Node.js N)": the release version first, as every copy of it says.
    assert.equal(printed.split(' ')[0], pkgVersion);
    assert.match(printed, /^\S+ \(revision \S+, Node\.js \d+\.\d+\.\d+\)\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the chart's default images are this registry's, tagged with the chart's appVersion", () => {
  const chart = parse(readFileSync('charts/iperf3-monitor/Chart.yaml', 'utf8'));
  const objs = template();
  const images = [podSpec(one(objs, 'CronJob')), podSpec(one(objs, 'DaemonSet'))].flatMap((s) => s.containers.map((c: { image: string }) => c.image));
  for (const image of images) assert.match(image, new RegExp(`^${registry().replace(/\./g, '\\.')}/iperf3-monitor(-server)?:${chart.appVersion.replace(/\./g, '\\.')}$`));
});

test('`npm version X.Y.Z` writes the version everywhere, dates the changelog, commits and tags', () => {
  const dir = copy();
  try {
    const changelog = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');
    writeFileSync(join(dir, 'CHANGELOG.md'), changelog.replace('## [Unreleased]\n', '## [Unreleased]\n\n### Fixed\n- something\n'));
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qam', 'changelog']);
    execFileSync('npm', ['version', '7.8.9', '--no-commit-hooks'], {
      cwd: dir,
      stdio: 'pipe',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' },
    });
    assert.deepEqual(
      versions(dir).map(([, v]: [string, string]) => v),
      versions(dir).map(() => '7.8.9'),
    );
    assert.deepEqual(problems(dir), []);
    const today = new Date().toISOString().slice(0, 10);
    assert.match(readFileSync(join(dir, 'CHANGELOG.md'), 'utf8'), new RegExp(`## \\[Unreleased\\]\n\n## \\[7\\.8\\.9\\] - ${today}\n\n### Fixed\n- something\n`));
    assert.equal(execFileSync('git', ['-C', dir, 'tag', '--points-at', 'HEAD'], { encoding: 'utf8' }), 'v7.8.9\n');
    assert.equal(execFileSync('git', ['-C', dir, 'status', '--porcelain'], { encoding: 'utf8' }), '', 'the version commit holds every changed file');
    assert.match(readFileSync(join(dir, 'src/version.ts'), 'utf8'), /^export const version = '7\.8\.9';$/m);
    assert.doesNotMatch(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /^ARG VERSION=(?!7\.8\.9$)/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('check names each file that is out of step', () => {
  const dir = copy();
  try {
    const chartFile = join(dir, 'charts/iperf3-monitor/Chart.yaml');
    writeFileSync(chartFile, readFileSync(chartFile, 'utf8').replace(/^appVersion: .*$/m, 'appVersion: "9.9.9"'));
    const values = join(dir, 'charts/iperf3-monitor/values.yaml');
    writeFileSync(values, readFileSync(values, 'utf8').replace(/^(image:\n(?:\s+.*\n)*?\s+tag: )""$/m, '$1"0.0.1"'));
    const r = spawnSync(process.execPath, [join(dir, script), 'check', '--root', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      'version.mjs check: the version or registry is out of step:\n' +
        `  - charts/iperf3-monitor/Chart.yaml appVersion is "9.9.9", package.json says ${pkgVersion}\n` +
        '  - charts/iperf3-monitor/values.yaml image.tag is "0.0.1": keep it empty (the chart\'s appVersion)\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one registry value moves the chart defaults and the README install section together', () => {
  const dir = copy();
  try {
    const old = registry(dir);
    const r = spawnSync(process.execPath, [join(dir, script), 'registry', 'registry.example.org:5000/acme', '--root', dir], { encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(problems(dir), []);
    const values = parse(readFileSync(join(dir, 'charts/iperf3-monitor/values.yaml'), 'utf8'));
    assert.equal(values.image.repository, 'registry.example.org:5000/acme/iperf3-monitor');
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    assert.ok(readme.includes('helm install iperf3-monitor oci://registry.example.org:5000/acme/charts/iperf3-monitor'));
    assert.ok(!readme.includes(`${old}/`), 'no reference to the old registry is left');
    assert.ok(readFileSync(join(dir, 'charts/iperf3-monitor/README.md'), 'utf8').includes('`"registry.example.org:5000/acme/iperf3-monitor"`'));
    assert.match(readFileSync(join(dir, '.github/release.env'), 'utf8'), /^REGISTRY=registry\.example\.org:5000\/acme$/m);
    const bad = spawnSync(process.execPath, [join(dir, script), 'registry', 'HTTP://x', '--root', dir], { encoding: 'utf8' });
    assert.equal(bad.stderr, 'version.mjs: --registry: "HTTP://x" is not host[:port][/path] in lowercase\n');
    assert.equal(bad.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad version is refused with the value named', () => {
  const r = spawnSync(process.execPath, [script, 'set', 'v1.2'], { encoding: 'utf8' });
  assert.equal(r.stderr, 'version.mjs: --version: "v1.2" is not a version X.Y.Z (optionally -prerelease)\n');
  assert.equal(r.status, 2);
});
