import type { Protocol } from '../model/types.ts';
import type { IperfOptions } from '../iperf/client-args.ts';
import { pairSeriesOf, type PairSeries } from './pair-series.ts';
import { ConfigError } from '../errors/config-error.ts';
import { splitWords } from '../exec/command-template.ts';
import { buildIperfAuth, type IperfAuth, type RawAuthOptions } from './iperf-auth.ts';
import { httpUrl } from './http-url.ts';
import { parseConcurrency, type Concurrency } from '../plan/sizing.ts';

// The validated configuration of one run, and the one place that checks raw flags. Every message
// names the flag (as typed on the command line) and the value that was given.

export type Discovery =
  | { kind: 'static'; file: string }
  | {
      kind: 'kubernetes';
      namespace?: string;
      allNamespaces: boolean;
      selector: string;
      kubeconfig?: string;
      container?: string;
      /** Read Nodes once per run: zones on the series, unusable nodes skipped (--node-zones). */
      nodeZones?: boolean;
    };

export interface PushConfig {
  url: string;
  timeoutMs: number;
  retries: number;
  /** The whole push (earlier results read, every PUT and DELETE with their retries) ends by then. */
  deadlineMs: number;
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
  /** Tests in flight at most: auto (the collision-free parallelism), a count or a share of the nodes. */
  concurrency: Concurrency;
  exclusive: boolean;
  deadlineS?: number;
  /** Seconds between runs (the CronJob's schedule), for the coverage estimate. */
  runIntervalS?: number;
  /** The zoned plan: share of each run for cross-zone pairs, 0–1 (--cross-zone-share; needs --node-zones). */
  crossZoneShare?: number;
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
  /** iperf3 RSA authentication (iperf.auth carries the non-secret half to the client's arguments). */
  auth?: IperfAuth;
  /** The cluster-wide run Lease (runs are exclusive), when --lease names one. */
  lease?: { name: string; namespace: string; waitS: number; durationS: number; kubeconfig?: string };
  /** This runner's own pod (POD_NAMESPACE, POD_NAME from the Downward API): --deadline counts from its start. */
  pod?: { namespace: string; name: string };
  /** Prometheus remote-write receiver: this run's samples with their true timestamps (--remote-write). */
  remoteWrite?: string;
  /** Where the per-pair series go (--pair-series; config/pair-series.ts). */
  pairSeries: PairSeries;
  /** PromQL query API the state of --pair-series remote-write is read from (--state-url). */
  stateUrl?: string;
  job: string;
  output: 'table' | 'json' | 'none' | 'html';
  /** The page `--output html FILE` writes. */
  outputFile?: string;
  dryRun: boolean;
  logLevel: string;
}

/** A number flag's value: the text given, or the default number when the flag was not given. */
export type NumberText = string | number;

/**
 * Raw option values as yargs hands them over: a number option given on the command line or in the
 * environment arrives as the text given, so that a message can quote it exactly.
 */
export interface RawRunOptions extends RawAuthOptions {
  targets?: string;
  namespace?: string;
  allNamespaces?: boolean;
  selector: string;
  kubeconfig?: string;
  serverContainer?: string;
  nodeZones?: boolean;
  mode: string;
  clientCommand?: string;
  sourceNode?: string;
  iperf3: string;
  boundedClient?: string;
  concurrency: NumberText;
  exclusive: boolean;
  deadline: NumberText;
  runInterval?: NumberText;
  crossZoneShare?: NumberText;
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
  remoteWrite?: string;
  pairSeries?: string;
  stateUrl?: string;
  job: string;
  pushTimeout: NumberText;
  pushRetries: NumberText;
  pushDeadline: NumberText;
  lease?: string;
  leaseNamespace?: string;
  leaseWait: NumberText;
  leaseDuration: NumberText;
  pushgatewayUsername?: string;
  pushgatewayPassword?: string;
  pushgatewayPasswordFile?: string;
  pushgatewayToken?: string;
  pushgatewayTokenFile?: string;
  pushgatewayCaFile?: string;
  /** `--output` is an array so that `--output html FILE` can carry its file. */
  output: string | string[];
  dryRun: boolean;
  logLevel: string;
}

export interface ConfigEnv {
  /** The Downward API's node name, for star mode. */
  SOURCE_NODE_NAME?: string;
  /** The Downward API's pod name and namespace: the deadline counts from this pod's start. */
  POD_NAME?: string;
  POD_NAMESPACE?: string;
}

export interface ConfigFiles {
  /** Reads a secret file (password, token); throws with the OS error. */
  readText(path: string): string;
  /** The namespace of the pod's service account, when running in a cluster. */
  serviceAccountNamespace(): string | undefined;
}

export const MODES = ['mesh', 'star'] as const;
export const OUTPUTS = ['table', 'json', 'none', 'html'] as const;
/** retest: re-test suspects alone in the same cycle; mark: publish them marked; off: no check. */
export const INTERFERENCE_MODES = ['retest', 'mark', 'off'] as const;
export type InterferenceMode = (typeof INTERFERENCE_MODES)[number];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PUSHGATEWAY_CREDENTIALS = 'use --pushgateway-username with --pushgateway-password-file, or --pushgateway-token-file';

export function buildRunConfig(raw: RawRunOptions, env: ConfigEnv, files: ConfigFiles): RunConfig {
  const mode = oneOf('mode', raw.mode, MODES);
  const { output, outputFile } = outputOption(raw.output);
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
  const runInterval = number('run-interval', raw.runInterval ?? 0, 0);
  const discovery = discoveryOf(raw, files);
  const clientCommand = clientCommandOf(raw, mode, discovery);
  const sourceNode = mode === 'star' ? sourceNodeOf(raw, env) : undefined;
  if (raw.iperf3.trim() === '') throw new ConfigError('--iperf3 must name the iperf3 binary, got ""', 'iperf3');
  if (raw.job === '') throw new ConfigError('--job must not be empty', 'job');
  const push = pushConfigOf(raw, files);
  const auth = buildIperfAuth(raw, files, discovery.kind === 'kubernetes' && mode === 'mesh' && !clientCommand);
  if (auth) iperf.auth = { username: auth.username, publicKeyPath: auth.publicKeyPath };
  const lease = leaseOf(raw, discovery, files);
  return {
    discovery,
    mode,
    ...(clientCommand ? { clientCommand } : {}),
    ...(sourceNode !== undefined ? { sourceNode } : {}),
    iperf3: raw.iperf3,
    ...(raw.boundedClient?.trim() ? { boundedClient: raw.boundedClient.trim() } : {}),
    concurrency: parseConcurrency(raw.concurrency),
    exclusive: raw.exclusive,
    ...(deadline > 0 ? { deadlineS: deadline } : {}),
    ...(runInterval > 0 ? { runIntervalS: runInterval } : {}),
    ...crossZoneShareOf(raw, discovery),
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
    ...(lease ? { lease } : {}),
    ...(env.POD_NAME && env.POD_NAMESPACE ? { pod: { namespace: env.POD_NAMESPACE, name: env.POD_NAME } } : {}),
    ...pairSeriesOf(raw),
    job: raw.job,
    output,
    ...(outputFile !== undefined ? { outputFile } : {}),
    ...(auth ? { auth } : {}),
    dryRun: raw.dryRun,
    logLevel,
  };
}

function discoveryOf(raw: RawRunOptions, files: ConfigFiles): Discovery {
  if (raw.targets !== undefined) {
    if (raw.targets === '') throw new ConfigError('--targets must name a file, got ""', 'targets');
    if (raw.allNamespaces) throw new ConfigError('--all-namespaces applies to Kubernetes discovery, not to --targets', 'all-namespaces');
    if (raw.nodeZones) throw new ConfigError('--node-zones reads Kubernetes Nodes; it does not apply to --targets', 'node-zones');
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
    ...(raw.nodeZones ? { nodeZones: true } : {}),
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

function leaseOf(raw: RawRunOptions, discovery: Discovery, files: ConfigFiles): RunConfig['lease'] {
  const waitS = number('lease-wait', raw.leaseWait, 0);
  const durationS = int('lease-duration', raw.leaseDuration, 10, 3600);
  if (raw.lease === undefined) {
    if (raw.leaseNamespace !== undefined) throw new ConfigError('--lease-namespace needs --lease', 'lease-namespace');
    return undefined;
  }
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(raw.lease) || raw.lease.length > 253) {
    throw new ConfigError(`--lease must be a Kubernetes object name, got ${JSON.stringify(raw.lease)}`, 'lease');
  }
  if (raw.leaseNamespace !== undefined && !DNS_LABEL.test(raw.leaseNamespace)) {
    throw new ConfigError(
      `--lease-namespace must be a Kubernetes namespace name, got ${JSON.stringify(raw.leaseNamespace)}`,
      'lease-namespace',
    );
  }
  const namespace =
    raw.leaseNamespace ??
    (discovery.kind === 'kubernetes' ? discovery.namespace : undefined) ??
    files.serviceAccountNamespace() ??
    'default';
  return { name: raw.lease, namespace, waitS, durationS, ...(raw.kubeconfig ? { kubeconfig: raw.kubeconfig } : {}) };
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
    url: httpUrl('pushgateway', raw.pushgateway, PUSHGATEWAY_CREDENTIALS),
    timeoutMs: Math.round(positive('push-timeout', raw.pushTimeout) * 1000),
    retries: int('push-retries', raw.pushRetries, 0, 10),
    deadlineMs: Math.round(positive('push-deadline', raw.pushDeadline) * 1000),
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

/** `--output KIND` or `--output html FILE` (from the environment: "html FILE" in one value). */
function outputOption(value: string | string[]): { output: RunConfig['output']; outputFile?: string } {
  let words = [value].flat();
  const spaced = words.length === 1 ? /^(\S+)\s+(.+)$/.exec(words[0]!) : null;
  if (spaced) words = [spaced[1]!, spaced[2]!];
  const output = oneOf('output', words[0] ?? '', OUTPUTS);
  const given = JSON.stringify(words.join(' '));
  if (output === 'html') {
    if (words.length !== 2 || !words[1])
      throw new ConfigError(`--output html needs the file to write, e.g. --output html report.html, got ${given}`, 'output');
    return { output, outputFile: words[1] };
  }
  if (words.length > 1) throw new ConfigError(`--output ${output} takes no file, got ${given}`, 'output');
  return { output };
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

function crossZoneShareOf(raw: RawRunOptions, discovery: Discovery): { crossZoneShare?: number } {
  if (raw.crossZoneShare === undefined || raw.crossZoneShare === '') return {};
  const value = String(raw.crossZoneShare);
  const share = /^\s*(0(\.\d+)?|1(\.0+)?)\s*$/.test(value) ? Number(value) : NaN;
  if (!(share > 0 && share <= 1))
    throw new ConfigError(`--cross-zone-share must be a number > 0 and ≤ 1, got ${JSON.stringify(value)}`, 'cross-zone-share');
  if (discovery.kind !== 'kubernetes' || !discovery.nodeZones) {
    throw new ConfigError("--cross-zone-share needs the nodes' zones: add --node-zones (Kubernetes discovery)", 'cross-zone-share');
  }
  return { crossZoneShare: share };
}
