/** Building or removing the lab failed: names the command or the part that did. */
export class LabError extends Error {
  override readonly name = 'LabError';
}
