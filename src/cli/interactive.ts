// Whether a person watches the table: stderr is a terminal and the output is the table. Then a
// progress line runs during the cycle and info logs are left out (they would say the same).

export function interactiveTable(stderr: { isTTY?: boolean }, output: unknown): boolean {
  // --output is an array option (html carries its file): the first word names the output.
  return !!stderr.isTTY && [output].flat()[0] === 'table';
}
