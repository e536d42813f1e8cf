import yargs from 'yargs';
import { createLogger } from './cli/logger.ts';
import { runOptions } from './cli/run-options.ts';
import { envArgs } from './cli/argv-env.ts';
import { configFromRaw, runCommand } from './cli/run-command.ts';
import { labOptions } from './cli/lab-options.ts';
import type { RawRunOptions } from './config/run-config.ts';
import { ConfigError } from './errors/config-error.ts';
import { DiscoveryError } from './errors/discovery-error.ts';
import { PushError } from './errors/push-error.ts';
import { version } from './version.ts';

// The entry file: the only place that touches process (argv, env, signals, exit code). It builds
// the edges and runs one command. Exit codes: 0 the cycle ran (failed pairs are data), 1 a
// run-level failure (discovery, push), 2 invalid configuration.

const env = process.env;
const argv = process.argv.slice(2);
// yargs keeps its option table behind an untyped getOptions(); the names come from one definition.
const runTable = (runOptions(yargs()) as unknown as { getOptions(): { key: object; boolean: string[] } }).getOptions();
// Environment fallbacks go right after the command word, so that flags on the command line win.
let withEnv = argv;
try {
  if (argv[0] === 'run') withEnv = ['run', ...envArgs(Object.keys(runTable.key), new Set(runTable.boolean), env), ...argv.slice(1)];
} catch (e) {
  process.stderr.write(`iperf3-monitor: ${(e as Error).message}\n`);
  process.exit(2);
}

// On a terminal the progress line and the matrix say what per-test info lines would; keep warnings.
const levelGiven = withEnv.some((a) => a === '--log-level' || a.startsWith('--log-level='));
const interactiveTable = (output: unknown) => !!process.stderr.isTTY && output === 'table';

const abort = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (abort.signal.aborted) process.exit(128 + (sig === 'SIGTERM' ? 15 : 2));
    abort.abort(sig);
  });
}

async function guarded(level: string | undefined, body: (log: Awaited<ReturnType<typeof createLogger>>) => Promise<number>) {
  const log = await createLogger(level ?? 'info', process.stderr);
  try {
    process.exitCode = await body(log);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`iperf3-monitor: ${e.message}\n`);
      process.exitCode = 2;
    } else if (e instanceof DiscoveryError || e instanceof PushError) {
      log.error({ operation: e.operation, target: e.target }, e.message);
      process.exitCode = 1;
    } else {
      log.error({ err: e }, 'unexpected error');
      process.exitCode = 1;
    }
  }
}

await yargs(withEnv)
  .scriptName('iperf3-monitor')
  .usage('$0 <command> [options]\n\nContinuous N×N iperf3 bandwidth validation, pushed to a Prometheus Pushgateway.')
  .command(
    'run',
    'Discover the iperf3 servers, run the whole test cycle, push the results, exit',
    (y) => runOptions(y).epilog('Every option can also be set as IPERF3_MONITOR_<OPTION> (e.g. IPERF3_MONITOR_PUSHGATEWAY); flags win.'),
    (args) =>
      guarded(interactiveTable(args.output) && !levelGiven ? 'warn' : args.logLevel, async (log) => {
        const config = configFromRaw(args as unknown as RawRunOptions, env);
        return runCommand(config, { stdout: process.stdout, stderr: process.stderr, log, signal: abort.signal });
      }),
  )
  .command(
    'lab <action>',
    'Build (up) or remove (down) a local lab: network-namespace nodes with shaped links, an iperf3 server in each, a Pushgateway (needs root)',
    (y) => labOptions(y.positional('action', { choices: ['up', 'down'] as const, describe: 'up or down' })),
    (args) => guarded('info', async (log) => (await import('./cli/lab-command.ts')).labCommand(args, { log, stdout: process.stdout })),
  )
  .command(
    'demo',
    'Run one full mesh cycle on a freshly built local lab, show the matrix and the pushed metrics, tear the lab down (needs root)',
    (y) => labOptions(y),
    (args) =>
      guarded('info', async (log) => (await import('./cli/lab-command.ts')).demoCommand(args, { log, stdout: process.stdout, signal: abort.signal })),
  )
  .demandCommand(1, 'Name a command: run, lab or demo.')
  .parserConfiguration({ 'duplicate-arguments-array': false })
  .strict()
  .fail((msg, err) => {
    // yargs reports usage mistakes (unknown flag, missing value) as YError; anything else is a bug.
    if (err && err.name !== 'YError') throw err;
    msg ||= err?.message ?? 'invalid arguments';
    process.stderr.write(`iperf3-monitor: ${msg}\nRun 'iperf3-monitor <command> --help' to see the options.\n`);
    process.exit(2);
  })
  .version(version)
  .help()
  .wrap(Math.min(120, process.stdout.columns || 100))
  .parseAsync();
