// The GitHub workflows: actionlint (the real binary, built from the Go module proxy) finds nothing, every
// action is pinned to a full commit SHA, every job declares its own least permissions, and the release
// workflow publishes what the local rehearsal (.github/scripts/release.mjs) publishes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
// @ts-expect-error: a plain .mjs script without type declarations
import { imageTags, parseArgs } from '../../.github/scripts/release.mjs';

const dir = '.github/workflows';
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`).sort();
// Workflows are loosely typed YAML trees.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;
const workflows = new Map<string, Obj>(files.map((f) => [f, parse(readFileSync(f, 'utf8')) as Obj]));
const wf = (name: string): Obj => workflows.get(`${dir}/${name}`) ?? assert.fail(`${dir}/${name} is missing`);

test('there is a CI workflow and a release workflow', () => {
  assert.deepEqual(files, [`${dir}/ci.yml`, `${dir}/release.yml`]);
});

test('actionlint finds nothing to report in any workflow', () => {
  const actionlint = execFileSync('bash', ['test/tools/install-actionlint.sh'], { encoding: 'utf8' }).trim();
  const r = spawnSync(actionlint, ['-no-color', ...files], { encoding: 'utf8' });
  assert.equal(r.stdout + r.stderr, '');
  assert.equal(r.status, 0);
});

test('every action is pinned to a full commit SHA with its release tag in a comment', () => {
  for (const f of files) {
    const uses = readFileSync(f, 'utf8').split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    assert.ok(uses.length > 0, f);
    for (const line of uses) assert.match(line, /uses: [\w-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${f}: ${line.trim()}`);
  }
});

test('the workflows grant nothing by default and every job names its own permissions', () => {
  const granted: Record<string, Record<string, string>> = {};
  for (const [f, w] of workflows) {
    assert.deepEqual(w.permissions, {}, `${f}: top-level permissions`);
    for (const [name, job] of Object.entries(w.jobs as Obj)) {
      assert.equal(typeof job.permissions, 'object', `${f} job ${name} has no permissions mapping`);
      granted[`${f.split('/').pop()}:${name}`] = job.permissions;
    }
  }
  assert.deepEqual(granted, {
    'ci.yml:checks': { contents: 'read' },
    'ci.yml:suite': { contents: 'read' },
    'release.yml:verify': { contents: 'read' },
    'release.yml:image': { contents: 'read', packages: 'write' },
    'release.yml:chart': { contents: 'read', packages: 'write' },
    'release.yml:publish': { contents: 'write' },
  });
});

test('no checkout keeps the token in the git config', () => {
  for (const [f, w] of workflows) {
    for (const [name, job] of Object.entries(w.jobs as Obj)) {
      for (const step of job.steps as Obj[]) {
        if (String(step.uses ?? '').startsWith('actions/checkout@')) assert.equal(step.with?.['persist-credentials'], false, `${f} ${name}`);
      }
    }
  }
});

test('CI runs on pushes to main and on pull requests; the suite job runs .ci/run as root in Debian 12', () => {
  const ci = wf('ci.yml');
  assert.deepEqual(Object.keys(ci.on).sort(), ['pull_request', 'push']);
  assert.deepEqual(ci.on.push.branches, ['main']);
  assert.equal(ci.jobs.suite.container.image, 'debian:12');
  assert.match(ci.jobs.suite.container.options, /--privileged/);
  assert.ok((ci.jobs.suite.steps as Obj[]).some((s) => s.run === 'bash .ci/run'));
});

test('the release runs on v* tags and builds both targets for amd64 and arm64 with SBOM and provenance', () => {
  const rel = wf('release.yml');
  assert.deepEqual(rel.on, { push: { tags: ['v*'] } });
  const image = rel.jobs.image;
  assert.deepEqual(image.strategy.matrix.include.map((m: Obj) => [m.name, m.target]), [
    ['iperf3-monitor', ''],
    ['iperf3-monitor-server', 'server'],
  ]);
  const build = (image.steps as Obj[]).find((s) => String(s.uses).startsWith('docker/build-push-action@'))!.with;
  assert.equal(build.platforms, 'linux/amd64,linux/arm64');
  assert.equal(build.push, true);
  assert.equal(build.sbom, true);
  assert.equal(build.provenance, 'mode=max');
  assert.match(build['build-args'], /^VERSION=\$\{\{ env\.VERSION \}\}$/m);
  assert.match(build['build-args'], /^REVISION=\$\{\{ github\.sha \}\}$/m);
});

test('the release tags images as the rehearsal does: X.Y.Z, X.Y unless a pre-release, sha-<7 hex>', () => {
  const meta = (wf('release.yml').jobs.image.steps as Obj[]).find((s) => String(s.uses).startsWith('docker/metadata-action@'))!.with;
  assert.deepEqual(meta.tags.trim().split('\n'), ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}', 'type=sha']);
  assert.equal(meta.flavor, 'latest=false');
  assert.deepEqual(imageTags('1.2.3', 'abcdef0123456789'), ['1.2.3', '1.2', 'sha-abcdef0']);
  assert.deepEqual(imageTags('2.0.0-rc.1', '0123456789abcdef'), ['2.0.0-rc.1', 'sha-0123456']);
});

test('the release workflow packages and pushes the chart with the rehearsal script', () => {
  const steps = wf('release.yml').jobs.chart.steps as Obj[];
  assert.ok(steps.some((s) => s.run === 'node .github/scripts/release.mjs --only chart --version "$VERSION" --registry "$REGISTRY" --out dist/release'));
});

test('the release script names the flag or value it cannot use', () => {
  const err = (argv: string[]) => {
    try {
      parseArgs(argv);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.equal(err([]), '--version X.Y.Z is required');
  assert.equal(err(['--version', '1.2']), '--version: "1.2" is not a version X.Y.Z (optionally -prerelease)');
  assert.equal(err(['--version', '1.2.3', '--registry', 'Reg.Example:5000']), '--registry: "Reg.Example:5000" is not HOST[:PORT][/PATH] in lowercase');
  assert.equal(err(['--version', '1.2.3', '--only', 'docs']), '--only: "docs" is not images or chart');
  assert.equal(err(['--version', '1.2.3', '--registry']), '--registry needs a value');
  assert.equal(err(['--version', '1.2.3', '--push']), 'unknown argument "--push"');
  assert.equal(parseArgs(['--version', '1.2.3', '--registry', '127.0.0.1:5000']).plainHttp, true);
  assert.equal(parseArgs(['--version', '1.2.3', '--registry', 'ghcr.io/acme']).plainHttp, false);
  assert.equal(parseArgs(['--version', '1.2.3']).registry, 'ghcr.io/iperf3-monitor');
});
