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
  /** pods/exec runs iperf3 under this helper (iperf3-bounded), so no client outlives its stream; '' or undefined: iperf3 directly. */
  boundedClient?: string;
  concurrency: number;
  exclusive: boolean;
  deadlineS?: number;
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

/** Raw option values as yargs hands them over (numbers arrive as strings, so messages can quote them). */
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
  boundedClient?: string;
  concurrency: string;
  exclusive: boolean;
  deadline: string;
  protocols: string;
  duration: string;
  omit: string;
  parallel: string;
  udpBitrate: string;
  port: string;
  connectTimeout: string;
  busyRetries: string;
  maxPairs: string;
  maxResultAge: string;
  pushgateway?: string;
  job: string;
  pushTimeout: string;
  pushRetries: string;
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

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function buildRunConfig(raw: RawRunOptions, env: ConfigEnv, files: ConfigFiles): RunConfig {
  const mode = oneOf('mode', raw.mode, ['mesh', 'star'] as const);
  const output = oneOf('output', raw.output, ['table', 'json', 'none'] as const);
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

  let discovery: Discovery;
  if (raw.targets !== undefined) {
    if (raw.targets === '') throw new ConfigError('--targets must name a file, got ""', 'targets');
    if (raw.allNamespaces) throw new ConfigError('--all-namespaces applies to Kubernetes discovery, not to --targets', 'all-namespaces');
    discovery = { kind: 'static', file: raw.targets };
  } else {
    if (raw.namespace !== undefined && raw.allNamespaces) {
      throw new ConfigError(`--namespace ${JSON.stringify(raw.namespace)} and --all-namespaces exclude each other`, 'namespace');
    }
    if (raw.namespace !== undefined && !DNS_LABEL.test(raw.namespace)) {
      throw new ConfigError(`--namespace must be a Kubernetes namespace name, got ${JSON.stringify(raw.namespace)}`, 'namespace');
    }
    if (raw.selector.trim() === '') throw new ConfigError('--selector must not be empty: it would select every pod', 'selector');
    const namespace = raw.allNamespaces ? undefined : (raw.namespace ?? files.serviceAccountNamespace() ?? 'default');
    discovery = { kind: 'kubernetes', allNamespaces: !!raw.allNamespaces, selector: raw.selector };
    if (namespace !== undefined) discovery.namespace = namespace;
    if (raw.kubeconfig) discovery.kubeconfig = raw.kubeconfig;
    if (raw.serverContainer) discovery.container = raw.serverContainer;
  }

  let clientCommand: string[] | undefined;
  if (raw.clientCommand !== undefined) {
    if (mode === 'star') throw new ConfigError('--client-command applies to mesh mode; star mode runs --iperf3 locally', 'client-command');
    try {
      clientCommand = splitWords(raw.clientCommand);
    } catch (e) {
      throw new ConfigError(`--client-command: ${(e as Error).message}`, 'client-command');
    }
    if (clientCommand.length === 0) throw new ConfigError('--client-command must not be empty', 'client-command');
    if (!raw.clientCommand.includes('{node}')) {
      throw new ConfigError(
        `--client-command must contain {node} (where the source node's name goes), got ${JSON.stringify(raw.clientCommand)}`,
        'client-command',
      );
    }
  } else if (mode === 'mesh' && discovery.kind === 'static') {
    throw new ConfigError(
      '--client-command is required in mesh mode with --targets: say how to run iperf3 on a node, e.g. "ssh {node} iperf3"',
      'client-command',
    );
  }

  let sourceNode: string | undefined;
  if (mode === 'star') {
    sourceNode = raw.sourceNode ?? env.SOURCE_NODE_NAME;
    if (!sourceNode) {
      throw new ConfigError('star mode needs the node it runs on: pass --source-node or set SOURCE_NODE_NAME (Downward API spec.nodeName)', 'source-node');
    }
  }
  if (raw.iperf3.trim() === '') throw new ConfigError('--iperf3 must name the iperf3 binary, got ""', 'iperf3');

  const job = raw.job;
  if (job === '') throw new ConfigError('--job must not be empty', 'job');

  let push: PushConfig | undefined;
  if (raw.pushgateway !== undefined) {
    push = {
      url: httpUrl('pushgateway', raw.pushgateway),
      timeoutMs: Math.round(positive('push-timeout', raw.pushTimeout) * 1000),
      retries: int('push-retries', raw.pushRetries, 0, 10),
    };
    const password =
      raw.pushgatewayPasswordFile !== undefined
        ? readSecretFile('pushgateway-password-file', raw.pushgatewayPasswordFile, files)
        : raw.pushgatewayPassword;
    const token =
      raw.pushgatewayTokenFile !== undefined ? readSecretFile('pushgateway-token-file', raw.pushgatewayTokenFile, files) : raw.pushgatewayToken;
    if (raw.pushgatewayUsername !== undefined) {
      push.username = raw.pushgatewayUsername;
      push.password = password ?? '';
    } else if (password !== undefined) {
      throw new ConfigError('--pushgateway-password needs --pushgateway-username', 'pushgateway-password');
    }
    if (token !== undefined) {
      if (push.username !== undefined) throw new ConfigError('--pushgateway-token and --pushgateway-username exclude each other', 'pushgateway-token');
      if (token === '') throw new ConfigError('--pushgateway-token is empty', 'pushgateway-token');
      push.token = token;
    }
    if (raw.pushgatewayCaFile !== undefined) push.caFile = raw.pushgatewayCaFile;
  } else if (
    [raw.pushgatewayUsername, raw.pushgatewayPassword, raw.pushgatewayPasswordFile, raw.pushgatewayToken, raw.pushgatewayTokenFile, raw.pushgatewayCaFile].some(
      (v) => v !== undefined,
    )
  ) {
    throw new ConfigError('--pushgateway-username/-password/-token/-ca-file need --pushgateway', 'pushgateway');
  }

  const config: RunConfig = {
    discovery,
    mode,
    iperf3: raw.iperf3,
    ...(raw.boundedClient?.trim() ? { boundedClient: raw.boundedClient.trim() } : {}),
    concurrency: int('concurrency', raw.concurrency, 1, 10000),
    exclusive: raw.exclusive,
    protocols: protocols(raw.protocols),
    iperf,
    port,
    busyRetries: int('busy-retries', raw.busyRetries, 0, 100),
    maxPairs: int('max-pairs', raw.maxPairs, 0, 100_000_000),
    maxResultAgeS: positive('max-result-age', raw.maxResultAge),
    job,
    output,
    dryRun: raw.dryRun,
    logLevel,
  };
  if (clientCommand) config.clientCommand = clientCommand;
  if (sourceNode !== undefined) config.sourceNode = sourceNode;
  if (deadline > 0) config.deadlineS = deadline;
  if (push) config.push = push;
  return config;
}

/** Reads a secret from a file, trimming the final newline that editors and Secrets add. */
export function readSecretFile(flag: string, path: string, files: ConfigFiles): string {
  try {
    return files.readText(path).replace(/\r?\n$/, '');
  } catch (e) {
    throw new ConfigError(`--${flag} ${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, flag);
  }
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`--${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, flag);
}

function number(flag: string, value: string, min: number): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < min) {
    throw new ConfigError(`--${flag} must be a number ≥ ${min}, got ${JSON.stringify(value)}`, flag);
  }
  return n;
}

function positive(flag: string, value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`--${flag} must be a number > 0, got ${JSON.stringify(value)}`, flag);
  return n;
}

function int(flag: string, value: string, min: number, max: number): number {
  const n = /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, flag);
  }
  return n;
}

function bitrate(flag: string, value: string): string {
  if (/^\d+(\.\d+)?[KMGT]?$/i.test(value) && Number.parseFloat(value) > 0) return value;
  throw new ConfigError(`--${flag} must be a rate such as 100M, 1G or 500K (bits/s), got ${JSON.stringify(value)}`, flag);
}

function protocols(value: string): Protocol[] {
  const list = value.split(',').map((s) => s.trim().toLowerCase());
  const out: Protocol[] = [];
  for (const p of list) {
    if (p !== 'tcp' && p !== 'udp') {
      throw new ConfigError(`--protocols must be a comma-separated list of tcp and udp, got ${JSON.stringify(value)}`, 'protocols');
    }
    if (out.includes(p)) throw new ConfigError(`--protocols lists ${p} twice in ${JSON.stringify(value)}`, 'protocols');
    out.push(p);
  }
  return out;
}

function httpUrl(flag: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError(`--${flag} must be an http(s) URL, got ${JSON.stringify(value)}`, flag);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError(`--${flag} must be an http(s) URL, got ${JSON.stringify(value)}`, flag);
  }
  if (u.username || u.password) {
    // fetch refuses such URLs, and the password would end up in logs: say where credentials go.
    throw new ConfigError(`--${flag} must not carry credentials in the URL; use --pushgateway-username with --pushgateway-password-file, or --pushgateway-token-file`, flag);
  }
  if (u.search || u.hash) throw new ConfigError(`--${flag} must not have a query or fragment, got ${JSON.stringify(value)}`, flag);
  return value.replace(/\/+$/, '');
}
