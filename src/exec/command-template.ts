// A client command such as "ip netns exec lab-{node} iperf3" or "ssh {node} iperf3": split into argv
// once, like a shell would split words (quotes and backslashes), then {node} is substituted inside each
// word. No shell ever sees a node name, so a name with spaces or quotes stays one argument.

export class CommandTemplateError extends Error {
  override readonly name = 'CommandTemplateError';
}

export function splitWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new CommandTemplateError(`unterminated ${quote} quote in ${JSON.stringify(command)}`);
  if (inWord) words.push(word);
  return words;
}

/** argv for running iperf3 on `node`: the template's words with {node} replaced. */
export function commandFor(words: readonly string[], node: string): string[] {
  return words.map((w) => w.replaceAll('{node}', () => node));
}
