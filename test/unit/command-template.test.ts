// splitWords/commandFor: a client command is split like a shell splits words, once, and {node} is
// substituted inside each word, so no node name is ever seen by a shell or split into two arguments.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CommandTemplateError, commandFor, splitWords } from '../../src/exec/command-template.ts';

describe('splitWords', () => {
  const cases: { command: string; words: string[] }[] = [
    { command: 'ip netns exec lab-{node} iperf3', words: ['ip', 'netns', 'exec', 'lab-{node}', 'iperf3'] },
    { command: '  ssh\t{node}   iperf3 \n', words: ['ssh', '{node}', 'iperf3'] },
    { command: `ssh -o 'ProxyCommand ssh -W %h:%p jump' {node} iperf3`, words: ['ssh', '-o', 'ProxyCommand ssh -W %h:%p jump', '{node}', 'iperf3'] },
    { command: 'sh -c "exec iperf3 \\"$@\\"" {node}', words: ['sh', '-c', 'exec iperf3 "$@"', '{node}'] },
    { command: `echo 'a\\b' "a\\"b"`, words: ['echo', 'a\\b', 'a"b'] },
    { command: 'a\\ b c', words: ['a b', 'c'] },
    { command: `x '' ""`, words: ['x', '', ''] },
    { command: `pre'fix'"ed"`, words: ['prefixed'] },
    { command: '', words: [] },
    { command: '   ', words: [] },
  ];
  for (const c of cases) {
    test(`${JSON.stringify(c.command)} → ${JSON.stringify(c.words)}`, () => assert.deepEqual(splitWords(c.command), c.words));
  }

  const bad: { command: string; message: string }[] = [
    { command: 'ssh "{node} iperf3', message: 'unterminated " quote in "ssh \\"{node} iperf3"' },
    { command: "ssh '{node} iperf3", message: 'unterminated \' quote in "ssh \'{node} iperf3"' },
  ];
  for (const c of bad) {
    test(`${JSON.stringify(c.command)} → CommandTemplateError: ${c.message}`, () => {
      assert.throws(() => splitWords(c.command), (e: unknown) => e instanceof CommandTemplateError && e.message === c.message);
    });
  }
});

describe('commandFor', () => {
  const words = splitWords('ip netns exec lab-{node} iperf3 --logfile /tmp/{node}/{node}.log');
  const cases: { node: string; argv: string[] }[] = [
    { node: 'n1', argv: ['ip', 'netns', 'exec', 'lab-n1', 'iperf3', '--logfile', '/tmp/n1/n1.log'] },
    // A name with a space, quotes, $() and ; stays inside its one argument: no shell ever parses it.
    {
      node: `a b"c'; rm -rf / $(id)`,
      argv: ['ip', 'netns', 'exec', `lab-a b"c'; rm -rf / $(id)`, 'iperf3', '--logfile', `/tmp/a b"c'; rm -rf / $(id)/a b"c'; rm -rf / $(id).log`],
    },
    // $& and $1 are replacement patterns of String.replace; replaceAll with a string must not expand them.
    { node: '$&$1$$', argv: ['ip', 'netns', 'exec', 'lab-$&$1$$', 'iperf3', '--logfile', '/tmp/$&$1$$/$&$1$$.log'] },
    { node: '{node}', argv: ['ip', 'netns', 'exec', 'lab-{node}', 'iperf3', '--logfile', '/tmp/{node}/{node}.log'] },
  ];
  for (const c of cases) {
    test(`node ${JSON.stringify(c.node)} is substituted as one literal string in each word`, () => {
      const argv = commandFor(words, c.node);
      assert.deepEqual(argv, c.argv);
      assert.equal(argv.length, words.length);
    });
  }
  test('a node name starting with "-" where it would open a word is refused: it would become an option (ssh -oProxyCommand=…)', () => {
    assert.throws(
      () => commandFor(splitWords('ssh {node} iperf3'), '-oProxyCommand=id'),
      (e: unknown) =>
        e instanceof CommandTemplateError &&
        e.message === 'node name "-oProxyCommand=id" starts with "-": it would be an option to the client command',
    );
    // Inside a word ("lab-{node}") it cannot open an option and is kept.
    assert.deepEqual(commandFor(words, '-x').slice(3, 4), ['lab--x']);
  });
  test('the template words are not changed by substitution', () => {
    commandFor(words, 'n9');
    assert.equal(words[3], 'lab-{node}');
  });
});
