// Writes the values table of charts/iperf3-monitor/README.md from the `# --` comments in values.yaml
// (helm-docs' convention; helm-docs itself is a Go binary we cannot download here) and the types in
// values.schema.json. `--check` writes nothing and exits 1 when the README is stale (CI).
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const chart = 'charts/iperf3-monitor';
const start = '<!-- values-table:start -->';
const end = '<!-- values-table:end -->';

/** [{path, description}] for each key that has a `# --` comment, in file order. */
export function documentedKeys(valuesText) {
  const docs = [];
  const stack = []; // [{indent, key}]
  let comment = null;
  for (const line of valuesText.split('\n')) {
    const c = /^\s*# ?(.*)$/.exec(line);
    if (c) {
      if (c[1].startsWith('-- ')) comment = [c[1].slice(3)];
      else if (comment) comment.push(c[1]);
      continue;
    }
    const k = /^(\s*)([A-Za-z0-9_]+):/.exec(line);
    if (!k) {
      if (line.trim() === '') comment = null;
      continue;
    }
    const indent = k[1].length;
    while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
    stack.push({ indent, key: k[2] });
    if (comment) docs.push({ path: stack.map((s) => s.key).join('.'), description: comment.join(' ').trim() });
    comment = null;
  }
  return docs;
}

function at(obj, path) {
  return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function schemaType(schema, path) {
  const node = path.split('.').reduce((s, k) => s?.properties?.[k], schema);
  const t = node?.type ?? node?.oneOf?.map((s) => s.type) ?? 'object';
  return Array.isArray(t) ? t.join(' or ') : t;
}

const cell = (s) => s.replace(/\|/g, '\\|');

/** The Markdown table for the chart's values. */
export function valuesTable() {
  const text = readFileSync(`${chart}/values.yaml`, 'utf8');
  const values = parse(text);
  const schema = JSON.parse(readFileSync(`${chart}/values.schema.json`, 'utf8'));
  const rows = documentedKeys(text).map(({ path, description }) => {
    const def = JSON.stringify(at(values, path));
    return `| ${path} | ${schemaType(schema, path)} | \`${cell(def)}\` | ${cell(description)} |`;
  });
  return ['| Key | Type | Default | Description |', '|-----|------|---------|-------------|', ...rows].join('\n');
}

export function renderReadme(readme) {
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error(`chart-docs: ${chart}/README.md lacks the ${start} ... ${end} markers`);
  return `${readme.slice(0, i + start.length)}\n${valuesTable()}\n${readme.slice(j)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = `${chart}/README.md`;
  const current = readFileSync(file, 'utf8');
  const next = renderReadme(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error(`stale: ${file} (run: just chart-docs)`);
      process.exitCode = 1;
    }
  } else if (next !== current) {
    writeFileSync(file, next);
    console.log(`wrote ${file}`);
  }
}
