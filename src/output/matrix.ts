import type { CycleReport } from '../run/cycle.ts';
import type { Protocol } from '../model/types.ts';

// `--output table`: a source×destination matrix of Mbit/s per protocol, failures listed under it.
// Colours (on a TTY) are relative to the best path of the matrix: green ≥ 80 %, yellow ≥ 50 %, red below.

const C = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

export function renderMatrix(r: CycleReport, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `${code}${s}${C.reset}` : s);
  const nodes = [...new Set([...r.servers.map((s) => s.node), ...r.pairs.map((p) => p.source.node)])];
  const lines: string[] = [];
  const protocols = [...new Set(r.pairs.map((p) => p.protocol))] as Protocol[];
  for (const protocol of protocols) {
    const cells = new Map<string, string>();
    const values = new Map<string, number>();
    for (const x of r.results) {
      if (x.pair.protocol !== protocol) continue;
      const key = `${x.pair.source.node}\0${x.pair.destination.node}`;
      if (x.status === 'success') {
        values.set(key, x.measurement.bandwidthMbps);
        cells.set(key, x.measurement.bandwidthMbps.toFixed(1));
      } else cells.set(key, x.status === 'failure' ? 'FAIL' : 'skip');
    }
    const best = Math.max(0, ...values.values());
    const sources = nodes.filter((n) => r.pairs.some((p) => p.protocol === protocol && p.source.node === n));
    const w = Math.max(8, ...nodes.map((n) => n.length)) + 2;
    const pad = (s: string) => s.padStart(w);
    lines.push(paint(C.bold, `${protocol.toUpperCase()} Mbit/s (rows: source, columns: destination)`));
    lines.push(pad('') + nodes.map(pad).join(''));
    for (const src of sources) {
      const row = nodes.map((dst) => {
        if (dst === src) return paint(C.dim, pad('-'));
        const key = `${src}\0${dst}`;
        const text = cells.get(key);
        if (text === undefined) return paint(C.dim, pad('·'));
        const v = values.get(key);
        if (v === undefined) return paint(text === 'FAIL' ? C.red : C.dim, pad(text));
        const q = best > 0 ? v / best : 1;
        return paint(q >= 0.8 ? C.green : q >= 0.5 ? C.yellow : C.red, pad(text));
      });
      lines.push(pad(src) + row.join(''));
    }
    lines.push('');
  }
  const failed = r.results.flatMap((x) => (x.status === 'failure' ? [x] : []));
  if (failed.length > 0) {
    lines.push(paint(C.bold, 'Failed:'));
    for (const { pair, failure } of failed) {
      lines.push(`  ${pair.source.node} → ${pair.destination.node} ${pair.protocol}: ${paint(C.red, failure.kind)} ${failure.message}`);
    }
    lines.push('');
  }
  const count = (s: string) => r.results.filter((x) => x.status === s).length;
  const push = r.pushed
    ? r.pushed.errors.length > 0
      ? paint(C.red, `; push FAILED (${r.pushed.errors.length} errors)`)
      : `; pushed ${r.pushed.groups} groups${r.pushed.deleted.length ? `, deleted ${r.pushed.deleted.length}` : ''}`
    : '';
  lines.push(
    `${r.results.length} tests: ${count('success')} ok, ${count('failure')} failed, ${count('skipped')} skipped in ${((r.endedAt - r.startedAt) / 1000).toFixed(1)} s${push}`,
  );
  return lines.join('\n') + '\n';
}
