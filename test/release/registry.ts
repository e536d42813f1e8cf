// A real OCI registry for the release tests: Debian's docker-registry (CNCF distribution 2.8), installed
// by test/tools/install-registry.sh, listening on one address only (loopback, or the rig's bridge IP so
// that the nodes' containerd can pull), storing into a temporary directory removed when it stops.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../support/wait-for.ts';

export interface Registry {
  /** host:port, as image references and --registry take it */
  readonly address: string;
  log(): string;
  stop(): Promise<void>;
}

function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startRegistry(host = '127.0.0.1'): Promise<Registry> {
  const bin = execFileSync('bash', ['test/tools/install-registry.sh'], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'iperf3-monitor-registry-'));
  const port = await freePortOn(host);
  const address = `${host}:${port}`;
  writeFileSync(
    join(dir, 'config.yml'),
    ['version: 0.1', 'log:', '  level: info', 'storage:', '  filesystem:', `    rootdirectory: ${dir}/data`,
      '  delete:', '    enabled: true', 'http:', `  addr: ${address}`, ''].join('\n'),
  );
  // Its log goes to a file, not a pipe: the tests block in spawnSync (helm, skopeo, npm run release) while
  // the registry serves them, and a pipe nobody drains would stop it once full.
  const logFile = join(dir, 'registry.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const killOnExit = () => child.kill('SIGKILL'); // a test process that dies leaves no registry behind
  process.once('exit', killOnExit);
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`registry on ${address}`, async () => (await fetch(`http://${address}/v2/`)).ok, 20_000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}; its log:\n${log()}`);
  }
  return { address, log, stop };
}
