import type { Argv } from 'yargs';
import { BASELINE_SOURCES } from '../verify/verify-config.ts';
import { choice, number, text } from './option-kinds.ts';

// The `verify` command's own options, on top of every `run` option (see run-options.ts). Numbers are
// shown as numbers but handed over as the text given, so that a bad value is quoted back exactly
// (validation: verify/verify-config.ts).

const NUMBER_OPTIONS = ['min-tcp-mbps', 'min-udp-mbps', 'baseline-ratio'];

export function verifyOptions<T>(parser: Argv<T>) {
  return reportOptions(baselineOptions(gateOptions(parser))).string(NUMBER_OPTIONS);
}

function gateOptions<T>(parser: Argv<T>) {
  const group = 'Gate:';
  const ratio = `Floor: every pair must reach this fraction (0–1] of its own baseline; \
pairs without one are judged by the absolute floors alone`;
  const push = "Also push this run's results to --pushgateway (by default verify only reads the baseline there)";
  return parser
    .option('min-tcp-mbps', number(group, 'Floor: every TCP pair must reach this many Mbit/s'))
    .option('min-udp-mbps', number(group, 'Floor: every UDP pair must reach this many Mbit/s'))
    .option('baseline-ratio', number(group, ratio))
    .option('push', { type: 'boolean', group, default: false, describe: push });
}

function baselineOptions<T>(parser: Argv<T>) {
  const group = 'Baseline (with --baseline-ratio):';
  const source = `pushgateway: each pair's last pushed result (needs --pushgateway); \
prometheus: its median over --baseline-window (needs --prometheus)`;
  return parser
    .option('baseline-source', choice('baseline-source', group, BASELINE_SOURCES, 'pushgateway', source))
    .option('prometheus', text(group, 'Prometheus URL for --baseline-source prometheus (HTTP API, instant query)'))
    .option('baseline-window', text(group, 'PromQL range of the Prometheus baseline median, e.g. 6h, 1d, 7d', '1d'));
}

function reportOptions<T>(parser: Argv<T>) {
  const group = 'Reports:';
  return parser
    .option('junit', text(group, 'Write a JUnit XML report here (one testcase per pair); - for stdout'))
    .option('markdown', text(group, 'Write a Markdown summary here (the verdict, a table of pairs); - for stdout'));
}
