// Runs every test/**/*.test.ts file with node:test (TypeScript through tsx), one file at a time:
// many tests share the machine's two cores with real iperf3 traffic, so files must not overlap.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const filter = process.argv.slice(2);
function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}
const files = find('test')
  .filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filter.join(' ')}`);
  process.exit(1);
}
// A test that hangs (a wait that never ends, a child that never exits) fails after this instead of
// holding the suite forever. Generous: the slowest tests (the k8s end-to-end, the alerting run) take
// a few minutes on a loaded 2-core machine.
const TEST_TIMEOUT_MS = 15 * 60 * 1000;
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
