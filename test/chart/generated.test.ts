// Generated and copied files are current (CI fails when they are stale), every value is documented with
// a `# --` comment, and values.yaml and values.schema.json describe the same keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { chartDir } from './helm.ts';

const values = parse(readFileSync(`${chartDir}/values.yaml`, 'utf8')) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(`${chartDir}/values.schema.json`, 'utf8'));

function check(script: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('the chart copies of alerts/ and dashboards/ are current (just chart-sync)', () => {
  const r = check('test/tools/chart-sync.mjs');
  assert.equal(r.status, 0, r.stderr);
});

test('the values table in the chart README is current (just chart-docs)', () => {
  const r = check('test/tools/chart-docs.mjs');
  assert.equal(r.status, 0, r.stderr);
});

// Chart-owned objects whose keys are all listed in the schema; Kubernetes-owned ones (resources, probes,
// security contexts, label maps) are passed through and documented as a whole.
function chartOwnedPaths(node: Record<string, unknown>, s: { properties?: Record<string, unknown>; additionalProperties?: unknown }, prefix = ''): string[] {
  return Object.entries(node).flatMap(([k, v]) => {
    const path = prefix + k;
    const sub = s.properties?.[k] as typeof s | undefined;
    const owned = sub?.additionalProperties === false && v !== null && typeof v === 'object' && !Array.isArray(v);
    return owned ? chartOwnedPaths(v as Record<string, unknown>, sub, `${path}.`) : [path];
  });
}

test('every value in values.yaml has a # -- comment', async () => {
  const { documentedKeys } = (await import('../../test/tools/chart-docs.mjs' as string)) as { documentedKeys: (t: string) => { path: string }[] };
  const documented = new Set(documentedKeys(readFileSync(`${chartDir}/values.yaml`, 'utf8')).map((d) => d.path));
  assert.deepEqual(chartOwnedPaths(values, schema).filter((p) => !documented.has(p)), []);
});

test('every chart-owned object in the schema forbids unknown keys and lists exactly the keys of values.yaml', () => {
  const walk = (node: Record<string, unknown>, s: { properties?: Record<string, unknown>; additionalProperties?: unknown }, path: string): void => {
    assert.equal(s.additionalProperties, false, `${path || '(root)'} is strict`);
    const keys = Object.keys(node).sort();
    const props = Object.keys(s.properties ?? {}).filter((k) => k !== 'global').sort();
    assert.deepEqual(props, keys, `${path || '(root)'} keys`);
    for (const [k, v] of Object.entries(node)) {
      const sub = s.properties?.[k] as typeof s;
      if (sub?.additionalProperties === false) walk(v as Record<string, unknown>, sub, path ? `${path}.${k}` : k);
    }
  };
  walk(values, schema, '');
});
