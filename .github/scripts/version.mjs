#!/usr/bin/env node
// Keeps the release version and the publishing registry in step across the files that carry them.
//
//   node .github/scripts/version.mjs check              every place agrees (exit 1 and a list otherwise)
//   node .github/scripts/version.mjs set X.Y.Z          write X.Y.Z everywhere
//   node .github/scripts/version.mjs sync               write package.json's version everywhere else
//                                                       (npm's `version` hook: `npm version X.Y.Z`)
//   node .github/scripts/version.mjs registry PREFIX    publish under PREFIX (e.g. ghcr.io/acme)
//   node .github/scripts/version.mjs show               print the version and the registry
//   --root DIR                                          operate on a copy of the repository
//
// The version lives in package.json (+ package-lock.json), charts/iperf3-monitor/Chart.yaml (version and
// appVersion; the chart's default image tag is empty, which means appVersion), src/version.ts (what
// `iperf3-monitor --version` prints, also in the image) and the Dockerfile's VERSION build argument.
// The registry prefix lives in .github/release.env (REGISTRY=...), the one value to change; the chart's
// default image repositories and the README's install section are derived from it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;
// host[:port] followed by one or more lowercase path components, as image references allow.
export const REGISTRY = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

const files = {
  pkg: 'package.json',
  lock: 'package-lock.json',
  chart: 'charts/iperf3-monitor/Chart.yaml',
  values: 'charts/iperf3-monitor/values.yaml',
  versionTs: 'src/version.ts',
  dockerfile: 'Dockerfile',
  env: '.github/release.env',
  readme: 'README.md',
  chartReadme: 'charts/iperf3-monitor/README.md',
  changelog: 'CHANGELOG.md',
};

class VersionError extends Error {
  name = 'VersionError';
}

function read(root, f) {
  try {
    return readFileSync(join(root, f), 'utf8');
  } catch (e) {
    throw new VersionError(`cannot read ${join(root, f)}: ${e.code ?? e.message}`);
  }
}
const write = (root, f, text) => writeFileSync(join(root, f), text);

/** Replaces every match of `re` in file `f` (its group 1 kept, the rest set to `value`); `count` says how
 * many there must be ('some': at least one). Fails loudly when the file does not look as expected. */
function replaceAll(root, f, re, value, count = 1) {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  const text = read(root, f);
  const n = (text.match(g) ?? []).length;
  if (count === 'some' ? n === 0 : n !== count) throw new VersionError(`${f}: expected ${count === 'some' ? 'a' : count} match of ${re}, found ${n}`);
  write(root, f, text.replace(g, (_m, keep) => `${keep}${value}`));
}

const chartVersionRe = /^(version: )"?[^"\n]*"?$/m;
const appVersionRe = /^(appVersion: )"?[^"\n]*"?$/m;
const versionTsRe = /^(export const version = )'[^']*';$/m;
const dockerArgRe = /^(ARG VERSION=)\S*$/m;
const envRe = /^(REGISTRY=)(\S*)$/m;

/** Every place that carries the version, read from the files: [[where, value], ...]. */
export function versions(root = '.') {
  const pkg = JSON.parse(read(root, files.pkg));
  const lock = JSON.parse(read(root, files.lock));
  const val = (f, re) => {
    const m = re.exec(read(root, f));
    return m ? m[0].slice(m[1].length).replace(/^["']|["';]+$/g, '') : '(missing)';
  };
  return [
    [`${files.pkg} version`, pkg.version],
    [`${files.lock} version`, lock.version],
    [`${files.lock} packages[""].version`, lock.packages?.['']?.version],
    [`${files.chart} version`, val(files.chart, chartVersionRe)],
    [`${files.chart} appVersion`, val(files.chart, appVersionRe)],
    [`${files.versionTs} version`, val(files.versionTs, versionTsRe)],
    ...[...read(root, files.dockerfile).matchAll(new RegExp(dockerArgRe.source, 'gm'))].map((m, i, all) => [
      `${files.dockerfile} ARG VERSION${all.length > 1 ? ` (${i + 1} of ${all.length})` : ''}`,
      m[0].slice(m[1].length),
    ]),
  ];
}

/** The registry prefix from .github/release.env. */
export function registry(root = '.') {
  const m = envRe.exec(read(root, files.env));
  if (!m || !REGISTRY.test(m[2])) throw new VersionError(`${files.env}: no valid REGISTRY=host[:port]/path line`);
  return m[2];
}

/** Image references a release publishes under a registry prefix. */
export const refs = (prefix) => ({
  image: `${prefix}/iperf3-monitor`,
  serverImage: `${prefix}/iperf3-monitor-server`,
  chart: `oci://${prefix}/charts/iperf3-monitor`,
});

// `repository:` lines of values.yaml that name one of this project's images (runner or server).
const ownRepoRe = /^(\s*repository: )"?([a-z0-9.:/_-]+)\/(iperf3-monitor(?:-server)?)"?$/gm;

/** Problems that keep the version and registry from agreeing; empty when all is in step. */
export function problems(root = '.') {
  const out = [];
  const vs = versions(root);
  const want = vs[0][1];
  if (!SEMVER.test(want ?? '')) out.push(`${files.pkg} version ${JSON.stringify(want)} is not X.Y.Z`);
  if (!vs.some(([where]) => where.startsWith(`${files.dockerfile} ARG VERSION`))) out.push(`${files.dockerfile} has no ARG VERSION=`);
  for (const [where, v] of vs.slice(1)) if (v !== want) out.push(`${where} is ${JSON.stringify(v)}, package.json says ${want}`);

  const valuesText = read(root, files.values);
  const tag = /^image:\n(?:\s+.*\n)*?\s+tag: "?([^"\n]*)"?$/m.exec(valuesText)?.[1];
  if (tag !== '' && tag !== want) out.push(`${files.values} image.tag is ${JSON.stringify(tag)}: keep it empty (the chart's appVersion)`);

  let prefix;
  try {
    prefix = registry(root);
  } catch (e) {
    out.push(e.message);
    return out;
  }
  const own = [...valuesText.matchAll(ownRepoRe)];
  if (own.length === 0) out.push(`${files.values}: no image repository of this project`);
  for (const m of own) {
    if (m[2] !== prefix) out.push(`${files.values} repository ${m[2]}/${m[3]} is not under REGISTRY=${prefix} (${files.env})`);
  }
  const readme = read(root, files.readme);
  const r = refs(prefix);
  for (const ref of [r.image, r.chart]) if (!readme.includes(ref)) out.push(`${files.readme} does not name ${ref}`);
  const changelog = read(root, files.changelog);
  if (!new RegExp(`^## \\[${want.replace(/\./g, '\\.')}\\]`, 'm').test(changelog)) out.push(`${files.changelog} has no "## [${want}]" section`);
  return out;
}

/** Writes version `v` into every file that carries it. */
export function setVersion(root, v) {
  if (!SEMVER.test(v)) throw new VersionError(`--version: ${JSON.stringify(v)} is not a version X.Y.Z (optionally -prerelease)`);
  const pkg = JSON.parse(read(root, files.pkg));
  pkg.version = v;
  write(root, files.pkg, JSON.stringify(pkg, null, 2) + '\n');
  const lock = JSON.parse(read(root, files.lock));
  lock.version = v;
  if (lock.packages?.['']) lock.packages[''].version = v;
  write(root, files.lock, JSON.stringify(lock, null, 2) + '\n');
  replaceAll(root, files.chart, chartVersionRe, v);
  replaceAll(root, files.chart, appVersionRe, `"${v}"`);
  replaceAll(root, files.versionTs, versionTsRe, `'${v}';`);
  replaceAll(root, files.dockerfile, dockerArgRe, v, 'some'); // one per stage that labels
}

/** Publishes under `prefix`: release.env, the chart's image repositories, the README's install section. */
export function setRegistry(root, prefix) {
  if (!REGISTRY.test(prefix)) throw new VersionError(`--registry: ${JSON.stringify(prefix)} is not host[:port][/path] in lowercase`);
  const old = registry(root);
  replaceAll(root, files.env, /^(REGISTRY=)\S*$/m, prefix);
  const values = read(root, files.values);
  write(root, files.values, values.replace(ownRepoRe, (_m, key, _p, name) => `${key}${prefix}/${name}`));
  if (old !== prefix) {
    // The README's install section, and the chart README's generated values table (its defaults column).
    for (const f of [files.readme, files.chartReadme]) write(root, f, read(root, f).split(`${old}/`).join(`${prefix}/`));
  }
}

/** Turns the changelog's "## [Unreleased]" into "## [v] - date" under a fresh empty Unreleased section,
 * unless v already has a section. */
export function datedChangelog(root, v, date) {
  const text = read(root, files.changelog);
  if (new RegExp(`^## \\[${v.replace(/\./g, '\\.')}\\]`, 'm').test(text)) return;
  if (!/^## \[Unreleased\]$/m.test(text)) throw new VersionError(`${files.changelog}: no "## [Unreleased]" section to release as ${v}`);
  write(root, files.changelog, text.replace(/^## \[Unreleased\]$/m, `## [Unreleased]\n\n## [${v}] - ${date}`));
}

function main(argv) {
  let root = '.';
  const args = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root') root = argv[++i] ?? '';
    else args.push(argv[i]);
  }
  const [cmd, arg] = args;
  switch (cmd) {
    case 'check': {
      const p = problems(root);
      if (p.length) {
        process.stderr.write(`version.mjs check: the version or registry is out of step:\n${p.map((x) => `  - ${x}`).join('\n')}\n`);
        return 1;
      }
      process.stdout.write(`version ${versions(root)[0][1]}, registry ${registry(root)}: in step\n`);
      return 0;
    }
    case 'set':
      setVersion(root, arg ?? '');
      return 0;
    case 'sync': {
      const v = versions(root)[0][1];
      setVersion(root, v);
      datedChangelog(root, v, new Date().toISOString().slice(0, 10));
      return 0;
    }
    case 'registry':
      setRegistry(root, arg ?? '');
      return 0;
    case 'show':
      process.stdout.write(`version=${versions(root)[0][1]}\nregistry=${registry(root)}\n`);
      return 0;
    default:
      process.stderr.write('usage: version.mjs check | set X.Y.Z | sync | registry PREFIX | show  [--root DIR]\n');
      return 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof VersionError)) throw e;
    process.stderr.write(`version.mjs: ${e.message}\n`);
    process.exitCode = 2;
  }
}
