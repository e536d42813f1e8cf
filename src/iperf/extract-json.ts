// Finds the JSON document in iperf3 output and makes it parseable. iperf3 3.12 prints text after the
// JSON on some errors, writes C's `-nan`/`inf` for undefined floats (UDP jitter with no packets), and
// may be cut off when killed. Returns undefined when no complete object is there.

export function extractJson(text: string): unknown {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  let out = '';
  let i = start;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (/[-+a-zA-Z]/.test(c)) {
      // A bare word where JSON allows only true/false/null: C's nan/inf spellings become null.
      const m = /^[-+]?(nan|inf(inity)?)\b/i.exec(text.slice(i, i + 10));
      if (m) {
        out += 'null';
        i += m[0].length - 1;
        continue;
      }
    }
    out += c;
    if (depth === 0) break;
  }
  if (depth !== 0) return undefined;
  try {
    return JSON.parse(out);
  } catch {
    return undefined;
  }
}
