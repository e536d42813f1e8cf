import type { Protocol } from '../model/types.ts';
import type { IperfOptions } from '../iperf/client-args.ts';
import { ConfigError } from '../errors/config-error.ts';
import { splitWords } from '../exec/command-template.ts';

// The validated configuration of one run, and the one place that checks raw flags. Every message
// names the flag (as typed on the command line) and the value that was given.

export type Discovery =
  | { kind: 'static'; file: string }
  | { kind: 'kubernetes'; namespace?: string; allNamespaces: boolean; selector: string; kubeconfig?: string; container?: string };

export interface PushConfig {
  url: string;
  timeoutMs: number;
  retries: number;
  username?: string;
  password?: string;
  token?: string;
  caFile?: string;
}

export interface RunConfig {
  discovery: Discovery;
  mode: 'mesh' | 'star';
  /** Words of the client command ({node} substituted per source); undefined: pods/exec (mesh) or local iperf3 (star). */
  clientCommand?: string[];
  sourceNode?: string;
  iperf3: string;
  concurrency: number;
  exclusive: boolean;
  deadlineS?: number;
  /** What to do with full-duplex readings that look corrupted by another test's traffic. */
  interference: InterferenceMode;
  /** Re-tests per cycle at most (0: up to half of the cycle's tests). */
  maxRetests: number;
  /** A reading this share below its reference is suspected (0.025 = 2.5 %). */
  interferenceTolerance: number;
  protocols: Protocol[];
  iperf: IperfOptions;
  port: number;
  busyRetries: number;
  /** Tests per run at most, least recently tested first (0: every pair). */
  maxPairs: number;
  /** Seconds a result of an untested pair survives in the Pushgateway. */
  maxResultAgeS: number;
  push?: PushConfig;
  job: string;
  output: 'table' | 'json' | 'none';
  dryRun: boolean;
  logLevel: string;
}

/** A number flag's value: the text given, or the default number when the flag was not given. */
export type NumberText = string | number;

/**
 * Raw option values as yargs hands them over: a number option given on the command line or in the
 * environment arrives as the text given, so that a message can quote it exactly.
 */
export interface RawRunOptions {
  targets?: string;
  namespace?: string;
  allNamespaces?: boolean;
  selector: string;
  kubeconfig?: string;
  serverContainer?: string;
  mode: string;
  clientCommand?: string;
  sourceNode?: string;
  iperf3: string;
  concurrency: NumberText;
  exclusive: boolean;
  deadline: NumberText;
  interference: string;
  maxRetests: NumberText;
  interferenceTolerance: NumberText;
  protocols: string;
  duration: NumberText;
  omit: NumberText;
  parallel: NumberText;
  udpBitrate: string;
  port: NumberText;
  connectTimeout: NumberText;
  busyRetries: NumberText;
  maxPairs: NumberText;
  maxResultAge: NumberText;
  pushgateway?: string;
  job: string;
  pushTimeout: NumberText;
  pushRetries: NumberText;
  pushgatewayUsername?: string;
  pushgatewayPassword?: string;
  pushgatewayPasswordFile?: string;
  pushgatewayToken?: string;
  pushgatewayTokenFile?: string;
  pushgatewayCaFile?: string;
  output: string;
  dryRun: boolean;
  logLevel: string;
}

export interface ConfigEnv {
  /** The Downward API's node name, for star mode. */
  SOURCE_NODE_NAME?: string;
}

export interface ConfigFiles {
  /** Reads a secret file (password, token); throws with the OS error. */
  readText(path: string): string;
  /** The namespace of the pod's service account, when running in a cluster. */
  serviceAccountNamespace(): string | undefined;
}

export const MODES = ['mesh', 'star'] as const;
export const OUTPUTS = ['table', 'json', 'none'] as const;
/** retest: re-test suspects alone in the same cycle; mark: publish them marked; off: no check. */
export const INTERFERENCE_MODES = ['retest', 'mark', 'off'] as const;
export type InterferenceMode = (typeof INTERFERENCE_MODES)[number];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function buildRunConfig(raw: RawRunOptions, env: ConfigEnv, files: ConfigFiles): RunConfig {
  const mode = oneOf('mode', raw.mode, MODES);
  const output = oneOf('output', raw.output, OUTPUTS);
  const logLevel = oneOf('log-level', raw.logLevel, LOG_LEVELS);
  const port = int('port', raw.port, 1, 65535);
  const iperf: IperfOptions = {
    durationS: int('duration', raw.duration, 1, 86400),
    omitS: int('omit', raw.omit, 0, 86400),
    parallel: int('parallel', raw.parallel, 1, 128),
    udpBitrate: bitrate('udp-bitrate', raw.udpBitrate),
    connectTimeoutS: positive('connect-timeout', raw.connectTimeout),
  };
  const deadline = number('deadline', raw.deadline, 0);
  const discovery = discoveryOf(raw, files);
  const clientCommand = clientCommandOf(raw, mode, discovery);
  const sourceNode = mode === 'star' ? sourceNodeOf(raw, env) : undefined;
  if (raw.iperf3.trim() === '') throw new ConfigError('--iperf3 must name the iperf3 binary, got ""', 'iperf3');
  if (raw.job === '') throw new ConfigError('--job must not be empty', 'job');
  const push = pushConfigOf(raw, files);
  return {
    discovery,
    mode,
    ...(clientCommand ? { clientCommand } : {}),
    ...(sourceNode !== undefined ? { sourceNode } : {}),
    iperf3: raw.iperf3,
    concurrency: int('concurrency', raw.concurrency, 1, 10000),
    exclusive: raw.exclusive,
    ...(deadline > 0 ? { deadlineS: deadline } : {}),
    interference: oneOf('interference', raw.interference, INTERFERENCE_MODES),
    maxRetests: int('max-retests', raw.maxRetests, 0, 100_000_000),
    interferenceTolerance: percent('interference-tolerance', raw.interferenceTolerance) / 100,
    protocols: protocols(raw.protocols),
    iperf,
    port,
    busyRetries: int('busy-retries', raw.busyRetries, 0, 100),
    maxPairs: int('max-pairs', raw.maxPairs, 0, 100_000_000),
    maxResultAgeS: positive('max-result-age', raw.maxResultAge),
    ...(push ? { push } : {}),
    job: raw.job,
    output,
    dryRun: raw.dryRun,
    logLevel,
  };
}

function discoveryOf(raw: RawRunOptions, files: ConfigFiles): Discovery {
  if (raw.targets !== undefined) {
    if (raw.targets === '') throw new ConfigError('--targets must name a file, got ""', 'targets');
    if (raw.allNamespaces) throw new ConfigError('--all-namespaces applies to Kubernetes discovery, not to --targets', 'all-namespaces');
    return { kind: 'static', file: raw.targets };
  }
  if (raw.namespace !== undefined && raw.allNamespaces) {
    throw new ConfigError(`--namespace ${JSON.stringify(raw.namespace)} and --all-namespaces exclude each other`, 'namespace');
  }
  if (raw.namespace !== undefined && !DNS_LABEL.test(raw.namespace)) {
    throw new ConfigError(`--namespace must be a Kubernetes namespace name, got ${JSON.stringify(raw.namespace)}`, 'namespace');
  }
  if (raw.selector.trim() === '') throw new ConfigError('--selector must not be empty: it would select every pod', 'selector');
  const namespace = raw.allNamespaces ? undefined : (raw.namespace ?? files.serviceAccountNamespace() ?? 'default');
  return {
    kind: 'kubernetes',
    ...(namespace !== undefined ? { namespace } : {}),
    allNamespaces: !!raw.allNamespaces,
    selector: raw.selector,
    ...(raw.kubeconfig ? { kubeconfig: raw.kubeconfig } : {}),
    ...(raw.serverContainer ? { container: raw.serverContainer } : {}),
  };
}

function clientCommandOf(raw: RawRunOptions, mode: RunConfig['mode'], discovery: Discovery): string[] | undefined {
  const flag = 'client-command';
  if (raw.clientCommand === undefined) {
    if (mode === 'mesh' && discovery.kind === 'static') {
      const example = 'say how to run iperf3 on a node, e.g. "ssh {node} iperf3"';
      throw new ConfigError(`--client-command is required in mesh mode with --targets: ${example}`, flag);
    }
    return undefined;
  }
  if (mode === 'star') throw new ConfigError('--client-command applies to mesh mode; star mode runs --iperf3 locally', flag);
  let words: string[];
  try {
    words = splitWords(raw.clientCommand);
  } catch (error) {
    throw new ConfigError(`--client-command: ${(error as Error).message}`, flag);
  }
  if (words.length === 0) throw new ConfigError('--client-command must not be empty', flag);
  if (!raw.clientCommand.includes('{node}')) {
    const given = JSON.stringify(raw.clientCommand);
    throw new ConfigError(`--client-command must contain {node} (where the source node's name goes), got ${given}`, flag);
  }
  return words;
}

function sourceNodeOf(raw: RawRunOptions, env: ConfigEnv): string {
  const sourceNode = raw.sourceNode ?? env.SOURCE_NODE_NAME;
  if (!sourceNode) {
    const how = 'pass --source-node or set SOURCE_NODE_NAME (Downward API spec.nodeName)';
    throw new ConfigError(`star mode needs the node it runs on: ${how}`, 'source-node');
  }
  return sourceNode;
}

function pushConfigOf(raw: RawRunOptions, files: ConfigFiles): PushConfig | undefined {
  if (raw.pushgateway === undefined) {
    const secured = [raw.pushgatewayUsername, raw.pushgatewayPassword, raw.pushgatewayPasswordFile];
    const tokens = [raw.pushgatewayToken, raw.pushgatewayTokenFile, raw.pushgatewayCaFile];
    if ([...secured, ...tokens].some((value) => value !== undefined)) {
      throw new ConfigError('--pushgateway-username/-password/-token/-ca-file need --pushgateway', 'pushgateway');
    }
    return undefined;
  }
  const push: PushConfig = {
    url: httpUrl('pushgateway', raw.pushgateway),
    timeoutMs: Math.round(positive('push-timeout', raw.pushTimeout) * 1000),
    retries: int('push-retries', raw.pushRetries, 0, 10),
  };
  const secret = (flag: string, file: string | undefined, value: string | undefined) =>
    file !== undefined ? readSecretFile(flag, file, files) : value;
  const password = secret('pushgateway-password-file', raw.pushgatewayPasswordFile, raw.pushgatewayPassword);
  const token = secret('pushgateway-token-file', raw.pushgatewayTokenFile, raw.pushgatewayToken);
  if (raw.pushgatewayUsername !== undefined) {
    push.username = raw.pushgatewayUsername;
    push.password = password ?? '';
  } else if (password !== undefined) {
    throw new ConfigError('--pushgateway-password needs --pushgateway-username', 'pushgateway-password');
  }
  if (token !== undefined) {
    if (push.username !== undefined)
      throw new ConfigError('--pushgateway-token and --pushgateway-username exclude each other', 'pushgateway-token');
    if (token === '') throw new ConfigError('--pushgateway-token is empty', 'pushgateway-token');
    push.token = token;
  }
  if (raw.pushgatewayCaFile !== undefined) push.caFile = raw.pushgatewayCaFile;
  return push;
}

/** Reads a secret from a file, trimming the final newline that editors and Secrets add. */
export function readSecretFile(flag: string, path: string, files: ConfigFiles): string {
  try {
    return files.readText(path).replace(/\r?\n$/, '');
  } catch (error) {
    throw new ConfigError(`--${flag} ${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, flag);
  }
}

/** `value` if it is one of `allowed`, else a ConfigError naming the flag (also yargs' coerce for choices). */
export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`--${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, flag);
}

function number(flag: string, given: NumberText, min: number): number {
  const value = String(given);
  const parsed = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(parsed) || parsed < min) {
    throw new ConfigError(`--${flag} must be a number ≥ ${min}, got ${JSON.stringify(value)}`, flag);
  }
  return parsed;
}

function percent(flag: string, given: NumberText): number {
  const value = String(given);
  const parsed = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed >= 100) {
    throw new ConfigError(`--${flag} must be a percentage above 0 and below 100, got ${JSON.stringify(value)}`, flag);
  }
  return parsed;
}

function positive(flag: string, given: NumberText): number {
  const value = String(given);
  const parsed = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new ConfigError(`--${flag} must be a number > 0, got ${JSON.stringify(value)}`, flag);
  return parsed;
}

function int(flag: string, given: NumberText, min: number, max: number): number {
  const value = String(given);
  const parsed = /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, flag);
  }
  return parsed;
}

function bitrate(flag: string, value: string): string {
  if (/^\d+(\.\d+)?[KMGT]?$/i.test(value) && Number.parseFloat(value) > 0) return value;
  throw new ConfigError(`--${flag} must be a rate such as 100M, 1G or 500K (bits/s), got ${JSON.stringify(value)}`, flag);
}

function protocols(value: string): Protocol[] {
  const list = value.split(',').map((word) => word.trim().toLowerCase());
  const out: Protocol[] = [];
  for (const protocol of list) {
    if (protocol !== 'tcp' && protocol !== 'udp') {
      throw new ConfigError(`--protocols must be a comma-separated list of tcp and udp, got ${JSON.stringify(value)}`, 'protocols');
    }
    if (out.includes(protocol)) throw new ConfigError(`--protocols lists ${protocol} twice in ${JSON.stringify(value)}`, 'protocols');
    out.push(protocol);
  }
  return out;
}

function httpUrl(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--${flag} must be an http(s) URL, got ${JSON.stringify(value)}`, flag);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`--${flag} must be an http(s) URL, got ${JSON.stringify(value)}`, flag);
  }
  if (url.username || url.password) {
    // fetch refuses such URLs, and the password would end up in logs: say where credentials go.
    throw new ConfigError(
      `--${flag} must not carry credentials in the URL; ` +
        'use --pushgateway-username with --pushgateway-password-file, or --pushgateway-token-file',
      flag,
    );
  }
  if (url.search || url.hash) throw new ConfigError(`--${flag} must not have a query or fragment, got ${JSON.stringify(value)}`, flag);
  return value.replace(/\/+$/, '');
}
