import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, type LabState } from '../../src/lab/lab.ts';
import { serverPid } from '../support/lab-faults.ts';
import { ensureBuilt, runCli } from '../support/cli.ts';
import { startPushgateway, type RealPushgateway } from '../support/pushgateway.ts';
import { loadPage, screenshot } from '../support/chromium.ts';
import { startRecorder, reply } from '../support/http-recorder.ts';

// `--output html FILE` on a real 4-node lab (one slow link, one dead server, TCP and UDP, real iperf3
// and Pushgateway), opened in real headless Chromium: the cells read back from the browser's DOM hold
// the values the run pushed, the failures and figures are there, and the page made no request at all
// (Chromium's net log; a control page with one external image shows the check sees requests).

const LAB = 'opsh';
let lab: LabState;
let gw: RealPushgateway;
let dir: string;
let page: string;

before(async () => {
  ensureBuilt();
  lab = await labUp({ name: LAB, nodes: 4, nicMbit: 200, slow: ['n1>n2=50'], port: 5201, pushgateway: false });
  gw = await startPushgateway();
  dir = mkdtempSync(join(tmpdir(), 'ops-html-'));
  page = join(dir, 'report.html');
  process.kill(serverPid(lab, 'n4'), 'SIGKILL');
  const r = await runCli(
    ['run', '--targets', lab.targetsFile, '--client-command', lab.clientCommand, '--protocols', 'tcp,udp', '--udp-bitrate', '20M', '--duration', '2', '--omit', '0',
      '--concurrency', '4', '--busy-retries', '0', '--pushgateway', gw.url, '--output', 'html', page],
    {},
    120_000,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `wrote ${page}: 24 tests, 18 ok, 6 not ok\n`);
});
after(async () => {
  await gw?.stop();
  await labDown(LAB);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Cell { cls: string; source: string; destination: string; status: string; mbps?: number; kind?: string; text: string }
function cells(dom: string, protocol: string): Cell[] {
  const table = new RegExp(`<table class="matrix" id="matrix-${protocol}"[^>]*>([\\s\\S]*?)</table>`).exec(dom)?.[1];
  assert.ok(table, `no ${protocol} matrix in the DOM`);
  return [...table.matchAll(/<td class="(\w+)" data-source="(\w+)" data-destination="(\w+)" data-status="(\w+)"(?: data-mbps="([\d.]+)")?(?: data-kind="([\w-]+)")?[^>]*>(.*?)<\/td>/g)].map((m) => ({
    cls: m[1]!, source: m[2]!, destination: m[3]!, status: m[4]!, ...(m[5] ? { mbps: Number(m[5]) } : {}), ...(m[6] ? { kind: m[6] } : {}), text: m[7]!.replace(/<[^>]+>/g, ' ').trim(),
  }));
}
const pushed = async (src: string, dst: string, protocol: string) =>
  Number(new RegExp(`^iperf_network_bandwidth_mbps\\{destination_node="${dst}",[^}]*protocol="${protocol}",source_node="${src}"\\} (\\S+)$`, 'm').exec(await gw.metrics())?.[1]);

test('Chromium reads back every matrix cell: the pushed values, the slow link in red, failures as FAIL', async () => {
  const { dom } = await loadPage(page);
  for (const protocol of ['tcp', 'udp']) {
    const all = cells(dom, protocol);
    assert.equal(all.length, 16, `${protocol}: 4×4 cells`);
    for (const c of all) {
      if (c.source === c.destination) assert.deepEqual([c.cls, c.status, c.text], ['self', 'self', '–']);
      else if (c.destination === 'n4') {
        // The dead server: tried and refused, or not tried once the run judged n4 down on that evidence.
        if (c.status === 'failure') {
          assert.equal(c.cls, 'fail', `${c.source}→n4`);
          assert.match(c.text, /^FAIL refused$/);
        } else assert.deepEqual([c.cls, c.status, c.text], ['skip', 'skipped', 'skip'], `${c.source}→n4`);
      } else {
        assert.equal(c.status, 'success', `${protocol} ${c.source}→${c.destination}`);
        const value = await pushed(c.source, c.destination, protocol);
        assert.ok(Math.abs(c.mbps! - value) < 0.001, `${protocol} ${c.source}→${c.destination}: page ${c.mbps}, pushed ${value}`);
        assert.equal(c.text.split(' ')[0], value.toFixed(1));
        const slow = protocol === 'tcp' && c.source === 'n1' && c.destination === 'n2';
        assert.equal(c.cls, slow ? 'poor' : 'good', `${protocol} ${c.source}→${c.destination} (${c.mbps})`);
      }
    }
    // UDP cells also show jitter and loss.
    if (protocol === 'udp') assert.match(all.find((c) => c.status === 'success')!.text, /^\d+\.\d \d+\.\d\d ms · \d+\.\d\d % lost$/);
  }
  assert.ok(cells(dom, 'tcp').find((c) => c.source === 'n1' && c.destination === 'n2')!.mbps! < 50);
  const intoN4 = [...cells(dom, 'tcp'), ...cells(dom, 'udp')].filter((c) => c.destination === 'n4');
  assert.ok(intoN4.some((c) => c.status === 'failure'), 'no test into n4 was tried: n4 was judged down without evidence');
});

test('the page lists the failures and the run figures', async () => {
  const { dom } = await loadPage(page);
  // Every test into the dead n4 is listed: refused, or skipped as destination-down (n4 judged down).
  const rows = [...dom.matchAll(/<tr data-source="(\w+)" data-destination="(\w+)" data-protocol="(\w+)" data-kind="([^"]+)">/g)].map((m) => [`${m[1]}→${m[2]} ${m[3]}`, m[4]!]);
  assert.deepEqual(rows.map(([pair]) => pair).sort(), ['n1→n4 tcp', 'n1→n4 udp', 'n2→n4 tcp', 'n2→n4 udp', 'n3→n4 tcp', 'n3→n4 udp']);
  for (const [pair, kind] of rows) assert.match(kind!, /^(refused|skipped \(destination-down\))$/, pair);
  const figure = (id: string) => new RegExp(`<div data-figure="${id}"><dt>[^<]*</dt><dd>([^<]*)</dd></div>`).exec(dom)?.[1];
  assert.deepEqual(['servers', 'tests', 'success', 'push'].map(figure), ['4', '24', '18', 'pushed 5 groups']);
  const failed = Number(figure('failure'));
  assert.equal(failed + Number(figure('skipped')), 6);
  assert.equal(failed, rows.filter(([, kind]) => kind === 'refused').length);
  assert.match(figure('duration')!, /^\d+\.\d s$/);
});

test('the page is self-contained: no script, no external reference, and Chromium made no request for it', async () => {
  const html = readFileSync(page, 'utf8');
  assert.doesNotMatch(html, /<script|<link|<img|\bsrc=|\bhref=|url\(|@import/i);
  assert.deepEqual((await loadPage(page)).pageRequests, []);

  // The control: the same page with one external image (and no CSP) is caught, both by the net log and
  // by the server it asks.
  const rec = await startRecorder(reply(200, '', 'image/png'));
  try {
    const control = join(dir, 'control.html');
    writeFileSync(control, html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '').replace('</body>', `<img src="${rec.url}/pixel.png"></body>`));
    assert.deepEqual((await loadPage(control)).pageRequests, [`${rec.url}/pixel.png`]);
    assert.deepEqual(rec.requests.map((r) => r.url), ['/pixel.png']);
  } finally {
    await rec.close();
  }
});

test('Chromium renders a screenshot of the page', () => {
  const png = join(process.env.OPS_HTML_SCREENSHOT_DIR ?? dir, 'report.png');
  screenshot(page, png);
  assert.ok(statSync(png).size > 20_000, 'a real picture, not a blank page');
});
