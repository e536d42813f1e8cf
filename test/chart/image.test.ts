// The Dockerfile as text (test/images/image.test.ts builds it and checks the images): hadolint passes, the
// stages, an iperf3-only server target, a distroless final stage with no build tools, a numeric non-root user, OCI labels, an exec-form
// entrypoint, and the chart's defaults pointing at this image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const dockerfile = readFileSync('Dockerfile', 'utf8');
const stages = dockerfile.split(/^(?=FROM )/m).slice(1);
const final = stages.at(-1) ?? '';

test('hadolint finds nothing to report in the Dockerfile', () => {
  const hadolint = execFileSync('bash', ['test/tools/install-hadolint.sh'], { encoding: 'utf8' }).trim();
  const r = spawnSync(hadolint, ['Dockerfile'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the image is built in stages: bundle, iperf3 from trixie, iperf3-bounded, the iperf3-only server, the distroless runtime last', () => {
  assert.deepEqual(stages.map((s) => s.split('\n')[0]), [
    'FROM node:22-trixie-slim AS build',
    'FROM debian:trixie-slim AS iperf3',
    'FROM debian:trixie-slim AS bounded-client',
    'FROM gcr.io/distroless/base-debian13:nonroot AS server',
    'FROM gcr.io/distroless/nodejs22-debian13:nonroot',
  ]);
  assert.match(stages[1] ?? '', /grep -E '\^iperf 3\\\.\(1\[6-9\]\|\[2-9\]\[0-9\]\)'/, 'the build fails on an iperf3 older than 3.16');
  assert.match(stages[2] ?? '', /gcc -Os -static .* src\/bounded-client\/iperf3-bounded\.c|gcc -Os -static .*\/src\/iperf3-bounded\.c/);
});

test('the final stage runs no package manager and copies only the bundle, iperf3 and iperf3-bounded', () => {
  assert.doesNotMatch(final, /^RUN /m);
  assert.deepEqual(final.match(/^COPY .*$/gm), [
    'COPY --from=iperf3 /out/usr/ /usr/',
    'COPY --from=bounded-client /usr/bin/iperf3-bounded /usr/bin/iperf3-bounded',
    'COPY --from=build /src/dist/iperf3-monitor.mjs /src/dist/iperf3-monitor.mjs.map /app/',
  ]);
});

test('the final stage runs as a numeric non-root user with an exec-form entrypoint and OCI labels', () => {
  assert.match(final, /^USER 65532:65532$/m);
  assert.match(final, /^ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/iperf3-monitor\.mjs"\]$/m);
  assert.match(final, /^CMD \["run"\]$/m);
  for (const label of ['title', 'description', 'version', 'revision', 'created', 'licenses', 'source']) {
    assert.match(final, new RegExp(`org\\.opencontainers\\.image\\.${label}=`), label);
  }
});

test('the chart runs this image as the same user for both runner and server', () => {
  const values = parse(readFileSync('charts/iperf3-monitor/values.yaml', 'utf8'));
  assert.equal(values.image.repository, 'ghcr.io/iperf3-monitor/iperf3-monitor');
  assert.equal(values.runner.podSecurityContext.runAsUser, 65532);
  assert.equal(values.server.podSecurityContext.runAsUser, 65532);
});

test('the build context holds only what the build stage copies', () => {
  const ignore = readFileSync('.dockerignore', 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(ignore, ['*', '!package.json', '!package-lock.json', '!.npmrc', '!tsconfig.json', '!src/', 'src/**/*.test.ts']);
});

test('the server target holds iperf3 and iperf3-bounded and nothing else: no Node.js, no shell, no package manager', () => {
  const server = stages.find((s) => s.startsWith('FROM gcr.io/distroless/base-debian13:nonroot AS server')) ?? '';
  assert.doesNotMatch(server, /^RUN /m);
  assert.deepEqual(server.match(/^COPY .*$/gm), [
    'COPY --from=iperf3 /out/usr/ /usr/',
    'COPY --from=bounded-client /usr/bin/iperf3-bounded /usr/bin/iperf3-bounded',
  ]);
  assert.match(server, /^USER 65532:65532$/m);
  assert.match(server, /^ENTRYPOINT \["\/usr\/bin\/iperf3"\]$/m);
});
