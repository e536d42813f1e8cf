import type { CycleReport } from '../run/cycle.ts';
import type { PairResult, Protocol } from '../model/types.ts';

// `--output html FILE`: one self-contained page for runs outside a cluster (bare metal, a laptop, the
// lab) where there is no Grafana: the source×destination colour matrix per protocol, the failures and
// the run's figures. Inline CSS only, no script, no font or image to fetch, and a Content-Security-
// Policy that forbids every fetch, so the page opens the same offline, from a mail or a ticket.
// Colours are relative to the best path of the matrix, as in the terminal table: good ≥ 80 %,
// fair ≥ 50 %, poor below; failed and skipped tests have their own.

export function htmlReport(r: CycleReport, generatedAt = r.endedAt): string {
  const nodes = [...new Set([...r.servers.map((s) => s.node), ...r.pairs.map((p) => p.source.node)])];
  const protocols = [...new Set(r.pairs.map((p) => p.protocol))] as Protocol[];
  const count = (s: PairResult['status']) => r.results.filter((x) => x.status === s).length;
  const failed = r.results.filter((x) => x.status !== 'success');
  const started = iso(r.startedAt);
  const title = `iperf3-monitor: ${r.servers.length} nodes, ${started}`;

  const figures: [string, string, string][] = [
    ['started', 'Started', started],
    ['duration', 'Cycle time', `${((r.endedAt - r.startedAt) / 1000).toFixed(1)} s`],
    ['servers', 'Servers', String(r.servers.length)],
    ['tests', 'Tests', r.planned > r.results.length ? `${r.results.length} of ${r.planned} planned` : String(r.results.length)],
    ['success', 'Succeeded', String(count('success'))],
    ['failure', 'Failed', String(count('failure'))],
    ['skipped', 'Skipped', String(count('skipped'))],
  ];
  if (r.pushed) {
    figures.push([
      'push',
      'Pushgateway',
      r.pushed.errors.length ? `push failed (${r.pushed.errors.length} errors)` : `pushed ${r.pushed.groups} groups`,
    ]);
  }

  const body: string[] = [];
  body.push(
    `<header><h1>iperf3-monitor</h1><p class="sub">${esc(`${r.servers.length} nodes · ${protocols.map((p) => p.toUpperCase()).join(' + ') || 'no tests'} · ${started}`)}</p></header>`,
  );
  body.push('<section><h2>Run</h2><dl class="figures">');
  for (const [id, label, value] of figures) body.push(`<div data-figure="${id}"><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`);
  body.push('</dl></section>');

  for (const protocol of protocols) body.push(matrix(r, protocol, nodes));

  body.push(`<section><h2>Failures</h2>`);
  if (failed.length === 0) body.push('<p class="none" id="no-failures">Every test succeeded.</p>');
  else {
    body.push(
      '<table class="failures" id="failures"><thead><tr><th>Source</th><th>Destination</th><th>Protocol</th><th>Outcome</th><th>Message</th><th>Attempts</th></tr></thead><tbody>',
    );
    for (const x of failed) {
      const kind = x.failure?.kind ?? `skipped (${x.skipped})`;
      const message = x.failure?.message ?? 'not run before the deadline or signal';
      body.push(
        `<tr data-source="${esc(x.pair.source.node)}" data-destination="${esc(x.pair.destination.node)}" data-protocol="${x.pair.protocol}" data-kind="${esc(kind)}">` +
          `<td>${esc(x.pair.source.node)}</td><td>${esc(x.pair.destination.node)}</td><td>${x.pair.protocol}</td><td><code>${esc(kind)}</code></td><td>${esc(message)}</td><td>${x.attempts}</td></tr>`,
      );
    }
    body.push('</tbody></table>');
  }
  body.push('</section>');
  body.push(
    `<footer>Written by iperf3-monitor at ${esc(iso(generatedAt))}. Colours are relative to the best path of each matrix; hover a cell for its figures.</footer>`,
  );

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

function matrix(r: CycleReport, protocol: Protocol, nodes: string[]): string {
  const byKey = new Map<string, PairResult>();
  for (const x of r.results) if (x.pair.protocol === protocol) byKey.set(`${x.pair.source.node}\0${x.pair.destination.node}`, x);
  const best = Math.max(0, ...[...byKey.values()].map((x) => x.measurement?.bandwidthMbps ?? 0));
  const sources = nodes.filter((n) => r.pairs.some((p) => p.protocol === protocol && p.source.node === n));
  const out = [
    `<section><h2>${protocol.toUpperCase()} Mbit/s</h2><p class="hint">Rows: source node · columns: destination node · best path ${best.toFixed(1)} Mbit/s</p>`,
  ];
  out.push(
    `<div class="scroll"><table class="matrix" id="matrix-${protocol}" data-protocol="${protocol}"><thead><tr><th class="corner">from \\ to</th>`,
  );
  for (const d of nodes) out.push(`<th scope="col">${esc(d)}</th>`);
  out.push('</tr></thead><tbody>');
  for (const s of sources) {
    out.push(`<tr><th scope="row">${esc(s)}</th>`);
    for (const d of nodes) {
      const attrs = `data-source="${esc(s)}" data-destination="${esc(d)}"`;
      if (s === d) {
        out.push(`<td class="self" ${attrs} data-status="self">–</td>`);
        continue;
      }
      const x = byKey.get(`${s}\0${d}`);
      if (!x) {
        out.push(`<td class="untested" ${attrs} data-status="untested" title="not tested in this run">·</td>`);
        continue;
      }
      if (x.status === 'success') {
        const m = x.measurement!;
        const q = best > 0 ? m.bandwidthMbps / best : 1;
        const level = q >= 0.8 ? 'good' : q >= 0.5 ? 'fair' : 'poor';
        const extra: string[] = [];
        if (m.jitterMs !== undefined) extra.push(`${m.jitterMs.toFixed(2)} ms`);
        if (m.lostPackets !== undefined && m.packets) extra.push(`${((100 * m.lostPackets) / m.packets).toFixed(2)} % lost`);
        if (m.retransmits !== undefined) extra.push(`${m.retransmits} retr`);
        const tip = [`${s} → ${d} ${protocol}: ${m.bandwidthMbps.toFixed(1)} Mbit/s (${Math.round(q * 100)} % of best)`, ...extra].join(
          ' · ',
        );
        out.push(
          `<td class="${level}" ${attrs} data-status="success" data-mbps="${m.bandwidthMbps.toFixed(3)}" title="${esc(tip)}">${m.bandwidthMbps.toFixed(1)}` +
            (protocol === 'udp' && extra.length ? `<small>${esc(extra.join(' · '))}</small>` : '') +
            '</td>',
        );
      } else if (x.status === 'failure') {
        out.push(
          `<td class="fail" ${attrs} data-status="failure" data-kind="${x.failure!.kind}" title="${esc(`${x.failure!.kind}: ${x.failure!.message}`)}">FAIL<small>${x.failure!.kind}</small></td>`,
        );
      } else {
        out.push(`<td class="skip" ${attrs} data-status="skipped" title="${esc(`skipped: ${x.skipped}`)}">skip</td>`);
      }
    }
    out.push('</tr>');
  }
  out.push('</tbody></table></div>');
  out.push(
    '<p class="legend"><span class="good">≥ 80 % of best</span> <span class="fair">≥ 50 %</span> <span class="poor">&lt; 50 %</span> <span class="fail">failed</span> <span class="skip">skipped</span></p></section>',
  );
  return out.join('');
}

const iso = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
:root{--good:#1a7f37;--good-bg:#dafbe1;--fair:#7d4e00;--fair-bg:#fff1c2;--poor:#a40e26;--poor-bg:#ffd8d3;--fail-bg:#cf222e;--muted:#6e7781;--line:#d0d7de}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;background:#fff}
h1{margin:0;font-size:22px}h2{font-size:16px;margin:28px 0 8px}
.sub,.hint,footer{color:var(--muted)}.hint{margin:0 0 8px}
.figures{display:flex;flex-wrap:wrap;gap:8px;margin:0}
.figures div{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:110px}
.figures dt{font-size:12px;color:var(--muted)}.figures dd{margin:0;font-size:18px;font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
.matrix th,.matrix td{border:1px solid #fff;padding:6px 10px;min-width:72px;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.matrix thead th,.matrix tbody th{background:#f6f8fa;color:#1f2328}
.matrix .corner{color:var(--muted);font-weight:normal;font-size:12px}
.matrix small{display:block;font-size:11px;opacity:.8}
td.good,.legend .good{background:var(--good-bg);color:var(--good)}
td.fair,.legend .fair{background:var(--fair-bg);color:var(--fair)}
td.poor,.legend .poor{background:var(--poor-bg);color:var(--poor);font-weight:600}
td.fail,.legend .fail{background:var(--fail-bg);color:#fff;font-weight:600;text-align:center}
td.skip,td.untested,.legend .skip{background:#eaeef2;color:var(--muted);text-align:center}
td.self{background:#f6f8fa;color:#afb8c1;text-align:center}
.legend span{display:inline-block;padding:2px 8px;border-radius:4px;margin-right:4px;font-size:12px}
.failures th,.failures td{border-bottom:1px solid var(--line);padding:6px 10px;text-align:left;vertical-align:top}
.failures td:nth-child(5){max-width:520px;overflow-wrap:anywhere}
.none{color:var(--good)}
footer{margin-top:32px;font-size:12px}
`;
