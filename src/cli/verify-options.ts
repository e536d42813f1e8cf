import type { Argv } from 'yargs';

// The `verify` command's own options, on top of every `run` option (see run-options.ts). Numbers are
// strings so that a bad value is quoted back exactly (validation: verify/verify-config.ts).

export function verifyOptions<T>(y: Argv<T>) {
  return y
    .option('min-tcp-mbps', {
      type: 'string',
      requiresArg: true,
      group: 'Gate:',
      describe: 'Floor: every TCP pair must reach this many Mbit/s',
    })
    .option('min-udp-mbps', {
      type: 'string',
      requiresArg: true,
      group: 'Gate:',
      describe: 'Floor: every UDP pair must reach this many Mbit/s',
    })
    .option('baseline-ratio', {
      type: 'string',
      requiresArg: true,
      group: 'Gate:',
      describe:
        'Floor: every pair must reach this fraction (0–1] of its own baseline; pairs without one are judged by the absolute floors alone',
    })
    .option('baseline-source', {
      type: 'string',
      requiresArg: true,
      group: 'Gate:',
      default: 'pushgateway',
      describe:
        "pushgateway: each pair's last pushed result (needs --pushgateway); prometheus: its median over --baseline-window (needs --prometheus)",
    })
    .option('prometheus', {
      type: 'string',
      requiresArg: true,
      group: 'Gate:',
      describe: 'Prometheus URL for --baseline-source prometheus (HTTP API, instant query)',
    })
    .option('baseline-window', {
      type: 'string',
      requiresArg: true,
      group: 'Gate:',
      default: '1d',
      describe: 'PromQL range of the Prometheus baseline median, e.g. 6h, 1d, 7d',
    })
    .option('junit', {
      type: 'string',
      requiresArg: true,
      group: 'Gate:',
      describe: 'Write a JUnit XML report here (one testcase per pair); - for stdout',
    })
    .option('markdown', {
      type: 'string',
      requiresArg: true,
      group: 'Gate:',
      describe: 'Write a Markdown summary here (the verdict and a table of pairs); - for stdout',
    })
    .option('push', {
      type: 'boolean',
      group: 'Gate:',
      default: false,
      describe: "Also push this run's results to --pushgateway (by default verify only reads the baseline there)",
    });
}
