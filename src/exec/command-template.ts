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
  for (let position = 0; position < command.length; position++) {
    const char = command[position]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && position + 1 < command.length) word += command[++position];
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === '\\' && position + 1 < command.length) {
      word += command[++position];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new CommandTemplateError(`unterminated ${quote} quote in ${JSON.stringify(command)}`);
  if (inWord) words.push(word);
  return words;
}

/**
 * argv for running iperf3 on `node`: the template's words with {node} replaced. A word that would
 * begin with "-" only because of the name (e.g. ssh's "-oProxyCommand=…") is refused: the name would
 * become an option of the command.
 */
export function commandFor(words: readonly string[], node: string): string[] {
  return words.map((word) => {
    const out = word.replaceAll('{node}', () => node);
    if (word.startsWith('{node}') && out.startsWith('-')) {
      throw new CommandTemplateError(`node name ${JSON.stringify(node)} starts with "-": it would be an option to the client command`);
    }
    return out;
  });
}
