// Reads the Prometheus text exposition that the Pushgateway serves on /metrics, one sample at a time.
// Streaming matters: a full mesh of a large cluster is hundreds of MB of text — more than one
// JavaScript string can hold — and the runner needs only a few metric families out of it.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One sample line, or undefined for comments, blank lines and lines it cannot read. */
export function parseSampleLine(line: string): Sample | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!m) return undefined;
  const name = m[1]!;
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i, i + 200))?.[0];
      if (!key || line[i + key.length] !== '=' || line[i + key.length + 1] !== '"') return undefined;
      i += key.length + 2;
      let value = '';
      for (;;) {
        const c = line[i++];
        if (c === undefined) return undefined;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          value += e === 'n' ? '\n' : (e ?? '');
        } else value += c;
      }
      labels[key] = value;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/)[0];
  if (rest === undefined || rest === '') return undefined;
  const value = rest === '+Inf' ? Infinity : rest === '-Inf' ? -Infinity : Number(rest);
  if (Number.isNaN(value) && rest !== 'NaN') return undefined;
  return { name, labels, value };
}

/** The lines of a UTF-8 byte stream, without holding more than one line at a time. */
export async function* lines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let carry = '';
  for await (const chunk of body) {
    const text = carry + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    carry = parts.pop()!;
    yield* parts;
  }
  carry += decoder.decode();
  if (carry !== '') yield carry;
}
