// Runs the real helm binary (installed by test/tools/install-helm.sh) against charts/iperf3-monitor and
// parses what it renders, so chart tests assert on objects rather than on text.
import { execFileSync, spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export const chartDir = 'charts/iperf3-monitor';
export const release = 'mon';
export const namespace = 'netcheck';

// Kubernetes objects are deep, loosely typed trees; tests index into them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export interface RenderOptions {
  files?: string[];
  set?: string[];
  setString?: string[];
}

let helmBin: string | undefined;
/** Path to helm, installing it into the per-user cache on first use. */
export function helm(): string {
  helmBin ??= execFileSync('bash', ['test/tools/install-helm.sh'], { encoding: 'utf8' }).trim();
  return helmBin;
}

function valueArgs(o: RenderOptions): string[] {
  return [
    ...(o.files ?? []).flatMap((f) => ['-f', f]),
    ...(o.set ?? []).flatMap((s) => ['--set', s]),
    ...(o.setString ?? []).flatMap((s) => ['--set-string', s]),
  ];
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(helm(), args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cache = new Map<string, Obj[]>();
/** `helm template` with the given values; throws with helm's message when rendering fails. */
export function template(o: RenderOptions = {}): Obj[] {
  const args = ['template', release, chartDir, '--namespace', namespace, ...valueArgs(o)];
  const key = args.join('\0');
  const hit = cache.get(key);
  if (hit) return hit;
  const r = run(args);
  if (r.status !== 0) throw new Error(r.stderr.trim());
  const objs = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((x): x is Obj => x !== null);
  cache.set(key, objs);
  return objs;
}

/** The error helm prints when rendering must fail; throws when it renders. */
export function templateError(o: RenderOptions): string {
  const r = run(['template', release, chartDir, '--namespace', namespace, ...valueArgs(o)]);
  if (r.status === 0) throw new Error(`expected helm template to fail with ${JSON.stringify(o)}`);
  return r.stderr;
}

/** `helm lint --strict`; returns [exit status, output]. */
export function lint(o: RenderOptions = {}): [number | null, string] {
  const r = run(['lint', '--strict', chartDir, '--namespace', namespace, ...valueArgs(o)]);
  return [r.status, r.stdout + r.stderr];
}

/** NOTES.txt as `helm install --dry-run=client` prints it. */
export function notes(o: RenderOptions = {}): string {
  const r = run(['install', release, chartDir, '--namespace', namespace, '--dry-run=client', ...valueArgs(o)]);
  if (r.status !== 0) throw new Error(r.stderr.trim());
  const i = r.stdout.indexOf('NOTES:\n');
  return i < 0 ? '' : r.stdout.slice(i + 'NOTES:\n'.length);
}

export const kinds = (objs: Obj[]): string[] => [...new Set(objs.map((o) => o.kind as string))].sort();
export const one = (objs: Obj[], kind: string): Obj => {
  const found = objs.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as Obj;
};

/** The pod spec of a workload (CronJob, DaemonSet, Deployment) or of a Pod. */
export function podSpec(o: Obj): Obj {
  if (o.kind === 'Pod') return o.spec;
  return o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
}

/** The value following a flag in an argument list (`--deadline 210` -> "210"). */
export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

export const scenario = (name: string): string => `${chartDir}/ci/${name}-values.yaml`;
