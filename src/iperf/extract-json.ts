// Finds the JSON document in iperf3 output and makes it parseable. iperf3 3.12 prints text after the
// JSON on some errors, writes C's `-nan`/`inf` for undefined floats (UDP jitter with no packets), and
// may be cut off when killed. Returns undefined when no complete object is there.

export function extractJson(text: string): unknown {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  let out = '';
  let position = start;
  for (; position < text.length; position++) {
    const char = text[position]!;
    if (inString) {
      out += char;
      if (char === '\\') out += text[++position] ?? '';
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
    else if (/[-+a-zA-Z]/.test(char)) {
      // A bare word where JSON allows only true/false/null: C's nan/inf spellings become null.
      const match = /^[-+]?(nan|inf(inity)?)\b/i.exec(text.slice(position, position + 10));
      if (match) {
        out += 'null';
        position += match[0].length - 1;
        continue;
      }
    }
    out += char;
    if (depth === 0) break;
  }
  if (depth !== 0) return undefined;
  try {
    return JSON.parse(out);
  } catch {
    return undefined;
  }
}
