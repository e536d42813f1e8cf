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
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!match) return undefined;
  const name = match[1]!;
  let position = name.length;
  const labels: Record<string, string> = {};
  if (line[position] === '{') {
    position++;
    for (;;) {
      while (line[position] === ' ' || line[position] === ',') position++;
      if (line[position] === '}') {
        position++;
        break;
      }
      const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(position, position + 200))?.[0];
      if (!key || line[position + key.length] !== '=' || line[position + key.length + 1] !== '"') return undefined;
      position += key.length + 2;
      let value = '';
      for (;;) {
        const char = line[position++];
        if (char === undefined) return undefined;
        if (char === '"') break;
        if (char === '\\') {
          const escaped = line[position++];
          value += escaped === 'n' ? '\n' : (escaped ?? '');
        } else value += char;
      }
      labels[key] = value;
    }
  }
  const rest = line.slice(position).trim().split(/\s+/)[0];
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
