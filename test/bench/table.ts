// Plain-text tables for the bench's stdout: a title, a header and right-aligned cells.

export function table(title: string, header: string[], rows: (string | number)[][], note?: string): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const w = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  const out = [title, line(header), w.map((x) => '-'.repeat(x)).join('  '), ...cells.slice(1).map(line)];
  if (note) out.push(...note.split('\n').map((l) => `  ${l}`));
  return out.join('\n') + '\n';
}

export const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
export const pct = (x: number, d = 1) => (Number.isFinite(x) ? `${(x * 100).toFixed(d)} %` : 'n/a');
export const x = (r: number) => (Number.isFinite(r) ? `${r.toFixed(3)}×` : 'n/a');
