import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { ensureBuilt, runCli } from '../support/cli.ts';

// The shipped artefact: the bundle holds production dependencies only, starts quickly enough to show
// its help, and the whole tree type-checks.

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

test('the bundle contains no dev dependency', () => {
  ensureBuilt();
  const meta = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as { inputs: Record<string, unknown> };
  const packages = new Set(
    Object.keys(meta.inputs)
      .map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1])
      .filter((p): p is string => p !== undefined),
  );
  assert.ok(packages.has('prom-client') && packages.has('@kubernetes/client-node'), 'the production dependencies are bundled');
  const dev = [...packages].filter((p) => p in pkg.devDependencies);
  assert.deepEqual(dev, []);
});

test('every dependency is pinned to an exact version', () => {
  for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
    assert.match(range, /^\d+\.\d+\.\d+$/, `${name}@${range} is not pinned`);
  }
});

test('src/ and test/ type-check', () => {
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit'], { stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc --noEmit:\n${(e as { stdout?: string }).stdout}`);
  }
});

test('the bundle runs and lists its commands', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['run', 'lab <action>', 'demo']) assert.ok(r.stdout.includes(`iperf3-monitor ${c}`), c);
});

test('--version names the package version, the source revision and Node.js', async () => {
  const pkgVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^${pkgVersion.replaceAll('.', '\\.')} \\(revision ([0-9a-f]{7,}|unknown), Node\\.js ${process.versions.node}\\)\\n$`));
});
