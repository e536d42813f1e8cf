import type { Measurement, PairResult } from '../model/types.ts';
import { escapeHtml } from './html-escape.ts';
import { cellKey, shareLevel, type ProtocolGrid } from './matrix-grid.ts';

// One protocol's (and network's, when the run measured two) source×destination matrix on the HTML
// page: a cell per directed pair, coloured by its share of the best path, failed and skipped tests with
// their own colours; each cell carries its pair, status and figures as data-* attributes and a tooltip.

const LEGEND = `<p class="legend"><span class="good">≥ 80 % of best</span> <span class="fair">≥ 50 %</span> \
<span class="poor">&lt; 50 %</span> <span class="fail">failed</span> <span class="skip">skipped</span></p>`;

export function htmlMatrix(grid: ProtocolGrid, nodes: readonly string[]): string {
  const { protocol, network, bestMbps } = grid;
  const id = network ? `matrix-${protocol}-${network}` : `matrix-${protocol}`;
  const data = `data-protocol="${protocol}"${network ? ` data-network="${network}"` : ''}`;
  const hint = `Rows: source node · columns: destination node · best path ${bestMbps.toFixed(1)} Mbit/s`;
  const head = nodes.map((node) => `<th scope="col">${escapeHtml(node)}</th>`).join('');
  const rows = grid.sources.map((source) => {
    const cells = nodes.map((destination) => htmlCell(grid, source, destination)).join('');
    return `<tr><th scope="row">${escapeHtml(source)}</th>${cells}</tr>`;
  });
  return [
    `<section><h2>${protocol.toUpperCase()} Mbit/s${network ? ` · ${network} network` : ''}</h2><p class="hint">${hint}</p>`,
    `<div class="scroll"><table class="matrix" id="${id}" ${data}>`,
    `<thead><tr><th class="corner">from \\ to</th>${head}</tr></thead><tbody>`,
    ...rows,
    '</tbody></table></div>',
    `${LEGEND}</section>`,
  ].join('');
}

function htmlCell(grid: ProtocolGrid, source: string, destination: string): string {
  const attrs = `data-source="${escapeHtml(source)}" data-destination="${escapeHtml(destination)}"`;
  if (source === destination) return `<td class="self" ${attrs} data-status="self">–</td>`;
  const result = grid.cells.get(cellKey(source, destination));
  if (!result) return `<td class="untested" ${attrs} data-status="untested" title="not tested in this run">·</td>`;
  return resultCell(result, grid, attrs);
}

function resultCell(result: PairResult, grid: ProtocolGrid, attrs: string): string {
  switch (result.status) {
    case 'success':
      return measuredCell(result.measurement, grid, attrs, `${result.pair.source.node} → ${result.pair.destination.node}`);
    case 'failure': {
      const { kind, message } = result.failure;
      const title = escapeHtml(`${kind}: ${message}`);
      return `<td class="fail" ${attrs} data-status="failure" data-kind="${kind}" title="${title}">FAIL<small>${kind}</small></td>`;
    }
    case 'skipped':
      return `<td class="skip" ${attrs} data-status="skipped" title="${escapeHtml(`skipped: ${result.skipped}`)}">skip</td>`;
  }
}

function measuredCell(measurement: Measurement, grid: ProtocolGrid, attrs: string, path: string): string {
  const mbps = measurement.bandwidthMbps;
  const share = grid.bestMbps > 0 ? mbps / grid.bestMbps : 1;
  const extra = extraFigures(measurement);
  const tip = [`${path} ${grid.protocol}: ${mbps.toFixed(1)} Mbit/s (${Math.round(share * 100)} % of best)`, ...extra].join(' · ');
  const small = grid.protocol === 'udp' && extra.length ? `<small>${escapeHtml(extra.join(' · '))}</small>` : '';
  const data = `data-status="success" data-mbps="${mbps.toFixed(3)}" title="${escapeHtml(tip)}"`;
  return `<td class="${shareLevel(share)}" ${attrs} ${data}>${mbps.toFixed(1)}${small}</td>`;
}

/** Jitter, loss and retransmits, where the test reported them. */
function extraFigures(measurement: Measurement): string[] {
  const { jitterMs, lostPackets, packets, retransmits } = measurement;
  const extra: string[] = [];
  if (jitterMs !== undefined) extra.push(`${jitterMs.toFixed(2)} ms`);
  if (lostPackets !== undefined && packets) extra.push(`${((100 * lostPackets) / packets).toFixed(2)} % lost`);
  if (retransmits !== undefined) extra.push(`${retransmits} retr`);
  return extra;
}
