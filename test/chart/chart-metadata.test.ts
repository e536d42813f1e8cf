// Chart.yaml carries what chart-testing and Artifact Hub ask for, and helm-docs (the real binary, installed
// by test/tools/install-helm-docs.sh) reads the same description for every value as the project's generator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chartDir } from './helm.ts';

const chart = parse(readFileSync(`${chartDir}/Chart.yaml`, 'utf8')) as Record<string, unknown>;

test('Chart.yaml names maintainers, home, sources and an icon that the chart ships', () => {
  assert.ok(Array.isArray(chart.maintainers) && chart.maintainers.length > 0, 'maintainers');
  for (const m of chart.maintainers as { name?: string; url?: string }[]) assert.ok(m.name, 'every maintainer has a name');
  assert.match(String(chart.home), /^https:\/\//);
  assert.ok(Array.isArray(chart.sources) && (chart.sources as string[]).every((s) => s.startsWith('https://')), 'sources');
  const icon = String(chart.icon);
  assert.match(icon, /^https:\/\/.*\/charts\/iperf3-monitor\/icon\.svg$/);
  assert.ok(existsSync(`${chartDir}/icon.svg`), 'the icon the URL points at is in the repository');
});

test('helm-docs reads the same description for every documented value as test/tools/chart-docs.mjs', async () => {
  const { documentedKeys } = (await import('../tools/chart-docs.mjs' as string)) as { documentedKeys: (t: string) => { path: string; description: string }[] };
  const bin = execFileSync('bash', ['test/tools/install-helm-docs.sh'], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-helm-docs-'));
  try {
    // A copy, so that helm-docs writes nothing in the work tree; the template prints key and description.
    cpSync(chartDir, join(dir, 'iperf3-monitor'), { recursive: true });
    writeFileSync(join(dir, 'iperf3-monitor', 'keys.gotmpl'), '{{ range .Values }}{{ .Key }}\t{{ if .Description }}{{ .Description }}{{ else }}{{ .AutoDescription }}{{ end }}\n{{ end }}');
    const out = execFileSync(bin, ['--chart-search-root', dir, '--template-files', 'keys.gotmpl', '--dry-run', '--sort-values-order', 'file', '--log-level', 'error'], { encoding: 'utf8' });
    const theirs = new Map(out.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]));
    const ours = documentedKeys(readFileSync(`${chartDir}/values.yaml`, 'utf8'));
    const differing = ours
      .filter(({ path, description }) => (theirs.get(path) ?? '').replace(/\s+/g, ' ').trim() !== description)
      .map(({ path, description }) => `${path}: ours ${JSON.stringify(description)}, helm-docs ${JSON.stringify(theirs.get(path) ?? null)}`);
    assert.deepEqual(differing, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
