#!/usr/bin/env node
import yargs from 'yargs';
import { createLogger } from './cli/logger.ts';
import { runOptions } from './cli/run-options.ts';
import { ENV_PREFIX, envArgs } from './cli/argv-env.ts';
import { configFromRaw, runCommand } from './cli/run-command.ts';
import { labOptions } from './lab/options.ts';
import { verifyOptions } from './cli/verify-options.ts';
import { buildVerifyConfig, type RawVerifyOptions } from './verify/verify-config.ts';
import type { RawRunOptions } from './config/run-config.ts';
import { ConfigError } from './errors/config-error.ts';
import { OperationError } from './errors/operation-error.ts';
import { buildInfo } from './build-info.ts';
import { interactiveTable } from './cli/interactive.ts';

// The entry file: the only place that touches process (argv, env, signals, exit code). It builds
// the edges and runs one command. Exit codes: 0 the cycle ran (failed pairs are data), 1 a
// run-level failure (discovery, push, baseline), 2 invalid configuration, 3 `verify`: a pair failed the gate,
// 4 another run holds the run Lease.

type Logger = Awaited<ReturnType<typeof createLogger>>;

const env = process.env;
const argv = process.argv.slice(2);

// yargs keeps its option table behind an untyped getOptions(); the names come from one definition.
type OptionTable = { getOptions(): { key: object; boolean: string[] } };
const optionTables: Record<string, ReturnType<OptionTable['getOptions']>> = {
  run: (runOptions(yargs()) as unknown as OptionTable).getOptions(),
  verify: (runOptions(verifyOptions(yargs())) as unknown as OptionTable).getOptions(),
};

/** argv with the environment fallbacks right after the command word, so that flags on the command line win. */
function withEnvironment(): string[] {
  const table = optionTables[argv[0] ?? ''];
  if (!table) return argv;
  try {
    return [argv[0]!, ...envArgs(Object.keys(table.key), new Set(table.boolean), env), ...argv.slice(1)];
  } catch (error) {
    process.stderr.write(`iperf3-monitor: ${(error as Error).message}\n`);
    process.exit(2);
  }
}

const args = withEnvironment();
// On a terminal the progress line and the matrix say what per-test info lines would; keep warnings.
const levelGiven = args.some((word) => word === '--log-level' || word.startsWith('--log-level='));
const logLevelFor = (output: unknown, level: string) => (interactiveTable(process.stderr, output) && !levelGiven ? 'warn' : level);

const abort = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (abort.signal.aborted) process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
    abort.abort(signal);
  });
}

/** Runs a command body with a logger and turns its errors into the exit code. */
async function guarded(level: string, body: (log: Logger) => Promise<number>): Promise<void> {
  const log = await createLogger(level, process.stderr);
  try {
    process.exitCode = await body(log);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`iperf3-monitor: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof Error && error.name === 'LeaseHeldError') {
      // Another run holds the Lease: not a failure of this one, and nothing was tested or pushed.
      process.stderr.write(`iperf3-monitor: ${error.message}\n`);
      process.exitCode = 4;
    } else if (error instanceof OperationError) {
      log.error({ operation: error.operation, target: error.target }, error.message);
      process.exitCode = 1;
    } else {
      log.error({ err: error }, 'unexpected error');
      process.exitCode = 1;
    }
  }
}

/** yargs reports usage mistakes (unknown flag, missing value) and our own option checks as YError; anything else is a bug. */
function usageMistake(message: string, error: Error | undefined): never {
  if (error && error.name !== 'YError') throw error;
  const text = message || error?.message || 'invalid arguments';
  // A value refused by our validation names its flag and needs no hint; yargs' own mistakes get one.
  const hint = text.startsWith('--') ? '' : "Run 'iperf3-monitor <command> --help' to see the options.\n";
  process.stderr.write(`iperf3-monitor: ${text}\n${hint}`);
  process.exit(2);
}

const runEpilog = `Every option can also be set as ${ENV_PREFIX}<OPTION> (e.g. ${ENV_PREFIX}PUSHGATEWAY); flags win.`;
const verifyDescription = `Run one cycle like run, then pass or fail every pair against bandwidth floors; \
write JUnit and Markdown reports; exit 3 when a pair fails`;
const verifyEpilog = `Exit codes: 0 every pair passed, 3 a pair failed the gate (below a floor, its test failed, or not tested), \
1 a run-level failure (discovery, push, baseline), 2 invalid configuration. ${runEpilog}`;
const labDescription = `Build (up) or remove (down) a local lab: network-namespace nodes with shaped links, \
an iperf3 server in each, a Pushgateway (needs root)`;
const demoDescription =
  'Run one full mesh cycle on a freshly built local lab, show the matrix and the pushed metrics, tear the lab down (needs root)';

await yargs(args)
  .scriptName('iperf3-monitor')
  .usage('$0 <command> [options]\n\nContinuous N×N iperf3 bandwidth validation, pushed to a Prometheus Pushgateway.')
  .command(
    'run',
    'Discover the iperf3 servers, run the whole test cycle, push the results, exit',
    (parser) => runOptions(parser).epilog(runEpilog),
    (options) =>
      guarded(logLevelFor(options.output, options.logLevel), async (log) => {
        const config = configFromRaw(options as unknown as RawRunOptions, env);
        return runCommand(config, { stdout: process.stdout, stderr: process.stderr, log, signal: abort.signal });
      }),
  )
  .command(
    'verify',
    verifyDescription,
    (parser) => runOptions(verifyOptions(parser)).epilog(verifyEpilog),
    (options) =>
      guarded(logLevelFor(options.output, options.logLevel), async (log) => {
        const config = configFromRaw(options as unknown as RawRunOptions, env);
        const verify = buildVerifyConfig(options as unknown as RawVerifyOptions, { pushgateway: config.push !== undefined });
        const { verifyCommand } = await import('./cli/verify-command.ts');
        return verifyCommand(config, verify, { stdout: process.stdout, stderr: process.stderr, log, signal: abort.signal });
      }),
  )
  .command(
    'lab <action>',
    labDescription,
    (parser) => labOptions(parser.positional('action', { choices: ['up', 'down'] as const, describe: 'up or down' })),
    (options) => guarded('info', async (log) => (await import('./lab/command.ts')).labCommand(options, { log, stdout: process.stdout })),
  )
  .command(
    'demo',
    demoDescription,
    (parser) => labOptions(parser),
    (options) =>
      guarded('info', async (log) => {
        const { demoCommand } = await import('./lab/command.ts');
        return demoCommand(options, { log, stdout: process.stdout, signal: abort.signal });
      }),
  )
  .demandCommand(1, 'Name a command: run, verify, lab or demo.')
  .parserConfiguration({ 'duplicate-arguments-array': false })
  .strict()
  .fail(usageMistake)
  .version(`${buildInfo.version} (revision ${buildInfo.revision}, Node.js ${buildInfo.nodeVersion})`)
  .help()
  .wrap(Math.min(120, process.stdout.columns || 100))
  .parseAsync();

// Done: exit now, with the code set above. A socket still open (a Pushgateway connection left hanging
// past --push-deadline, a keep-alive connection, a pods/exec stream) must never keep a finished Job's
// pod alive. Logs are written synchronously; stdout is flushed first when it is a pipe.
await new Promise<void>((resolve) => (process.stdout.writableNeedDrain ? process.stdout.once('drain', resolve) : resolve()));
process.exit();
