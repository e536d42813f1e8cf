/** Invalid configuration: names the flag (or file) and the value. The runner exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly flag?: string,
  ) {
    super(message);
  }
}
