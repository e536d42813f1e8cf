// Real headless Chromium (Debian's `chromium`, installed by test/tools/install-chromium.sh) opening a
// local page: the DOM after load (--dump-dom), the requests the page itself made (from Chromium's own
// net log: URL requests whose network isolation key is the file:// page, as opposed to the browser's
// background requests, which have no origin), and screenshots. Every proxied request goes to a closed
// loopback port, so nothing leaves the machine whatever the browser tries in the background.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let bin: string | undefined;
export function chromium(): string {
  bin ??= execFileSync('bash', ['test/tools/install-chromium.sh'], { encoding: 'utf8' }).trim();
  return bin;
}

const QUIET = [
  '--headless',
  '--no-sandbox', // root has no user namespace sandbox here
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--proxy-server=127.0.0.1:9',
];

export interface LoadedPage {
  /** The document as Chromium serialises it after load. */
  dom: string;
  /** URLs the page requested (not the browser's own background requests). */
  pageRequests: string[];
}

/** Asynchronous, so that a server in the test process can answer what the page asks for. */
export async function loadPage(file: string): Promise<LoadedPage> {
  const dir = mkdtempSync(join(tmpdir(), 'ops-chromium-'));
  try {
    const netlog = join(dir, 'netlog.json');
    const { stdout: dom } = await promisify(execFile)(
      chromium(),
      [...QUIET, `--user-data-dir=${join(dir, 'profile')}`, `--log-net-log=${netlog}`, '--net-log-capture-mode=Everything', '--dump-dom', `file://${file}`],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const log = JSON.parse(readFileSync(netlog, 'utf8')) as { constants: { logEventTypes: Record<string, number> }; events: { type: number; params?: Record<string, string> }[] };
    const start = log.constants.logEventTypes.URL_REQUEST_START_JOB;
    const pageRequests = [
      ...new Set(log.events.filter((e) => e.type === start && e.params?.url && String(e.params.network_isolation_key).includes('file://')).map((e) => e.params!.url!)),
    ];
    return { dom, pageRequests };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function screenshot(file: string, png: string, width = 1280, height = 1200): void {
  const dir = mkdtempSync(join(tmpdir(), 'ops-chromium-'));
  try {
    execFileSync(chromium(), [...QUIET, `--user-data-dir=${join(dir, 'profile')}`, `--window-size=${width},${height}`, '--hide-scrollbars', `--screenshot=${png}`, `file://${file}`], {
      stdio: 'ignore',
      timeout: 60_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
