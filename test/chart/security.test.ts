// Every pod the chart creates runs non-root with a read-only root file system, no capabilities and the
// RuntimeDefault seccomp profile, and writes only to its own emptyDir or claim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podSpec, scenario, template } from './helm.ts';

const workloads = template({ files: [scenario('bundled-pushgateway')] }).filter((o) => ['CronJob', 'DaemonSet', 'Deployment'].includes(o.kind));

test('the bundled scenario has the three workloads to check', () => {
  assert.deepEqual(workloads.map((w) => w.kind).sort(), ['CronJob', 'DaemonSet', 'Deployment']);
});

for (const w of workloads) {
  test(`the ${w.kind} runs non-root with RuntimeDefault seccomp and a locked-down container`, () => {
    const spec = podSpec(w);
    assert.equal(spec.securityContext.runAsNonRoot, true);
    assert.ok(Number.isInteger(spec.securityContext.runAsUser) && spec.securityContext.runAsUser > 0);
    assert.deepEqual(spec.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    for (const c of spec.containers) {
      assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      assert.ok(c.resources.requests && c.resources.limits.memory, `${c.name} has requests and a memory limit`);
      assert.equal(c.securityContext.privileged, undefined);
    }
  });
}

test('runner and server get a writable /tmp emptyDir (iperf3 keeps its buffer in a temporary file)', () => {
  for (const w of workloads.filter((x) => x.kind !== 'Deployment')) {
    const spec = podSpec(w);
    assert.deepEqual(spec.volumes.find((v: { name: string }) => v.name === 'tmp'), { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    assert.deepEqual(spec.containers[0].volumeMounts[0], { name: 'tmp', mountPath: '/tmp' });
  }
});
