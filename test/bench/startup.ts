import { build, type Plugin } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './measure.ts';
import { BIN } from './runner-process.ts';

// Node start-up of the runner bundle against its floor (bare `node -e 0`), measured side by side, and
// a what-if built here in a temporary directory (src/ and dist/ untouched): the bundle, minified, with
// @kubernetes/client-node stubbed out — static targets never call it, but src/ imports it statically,
// so every run compiles and evaluates it. Start-up is mostly V8 compiling the module.

export interface StartupRow {
  what: string;
  /** Median wall time, ms. */
  ms: number;
  /** Median CPU time (user + system), ms: less disturbed by other load on the machine. */
  cpuMs: number;
  rssMB: number;
}

async function timed(argv: string[], k: number): Promise<StartupRow & { argv: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-bench-start-'));
  const ms: number[] = [];
  const rss: number[] = [];
  const cpu: number[] = [];
  try {
    for (let i = 0; i < k; i++) {
      const out = join(dir, `t${i}`);
      const t = performance.now();
      await new Promise<void>((res, rej) => {
        const c = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', out, ...argv], { stdio: 'ignore' });
        c.on('error', rej);
        c.on('close', () => res());
      });
      ms.push(performance.now() - t);
      const [m, u, sy] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      rss.push(m! / 1024);
      cpu.push((u! + sy!) * 1000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { what: '', argv, ms: median(ms), cpuMs: median(cpu), rssMB: median(rss) };
}

const stubKubernetes: Plugin = {
  name: 'stub-kubernetes',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: 'k8s-stub', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export class ApiException {}\nexport class CoreV1Api {}\nexport class KubeConfig {}\nexport class Exec {}\n',
      loader: 'js',
    }));
  },
};

export async function startupRows(k = 5): Promise<StartupRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-bench-stub-'));
  try {
    const variant = async (file: string, o: { stub: boolean; minify: boolean }) => {
      await build({
        entryPoints: ['src/main.ts'],
        outfile: join(dir, file),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'error',
        minify: o.minify,
        banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
        plugins: o.stub ? [stubKubernetes] : [],
      });
      return join(dir, file);
    };
    const stub = await variant('no-k8s.mjs', { stub: true, minify: true });
    const size = (f: string) => ` (${(statSync(f).size / 2 ** 20).toFixed(1)} MB)`;
    const rows = [
      { ...(await timed([process.execPath, '-e', '0'], k)), what: 'node -e 0 (floor)' },
      { ...(await timed([process.execPath, BIN, '--version'], k)), what: `node ${BIN} --version${size(BIN)}` },
      { ...(await timed([process.execPath, stub, '--version'], k)), what: `what-if: minified, @kubernetes/client-node stubbed out${size(stub)}` },
    ];
    return rows.map(({ what, ms, cpuMs, rssMB }) => ({ what, ms, cpuMs, rssMB }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
