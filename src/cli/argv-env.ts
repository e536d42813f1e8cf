import { ConfigError } from '../errors/config-error.ts';

// Environment fallbacks for options: IPERF3_MONITOR_<OPTION_NAME> becomes `--option-name=value`
// placed before the user's own arguments, so the command line wins over the environment. Kept apart
// from yargs' .env() so that tests pass an env object instead of mutating process.env. A boolean
// must say true or false: yargs would read "yes" or "1" as false without a word.

export const ENV_PREFIX = 'IPERF3_MONITOR_';

export function envArgs(optionNames: Iterable<string>, booleans: ReadonlySet<string>, env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const name of optionNames) {
    const variable = ENV_PREFIX + name.toUpperCase().replaceAll('-', '_');
    const value = env[variable];
    if (value === undefined) continue;
    if (booleans.has(name) && !/^(true|false)$/i.test(value)) {
      throw new ConfigError(`${variable} (--${name}) must be true or false, got ${JSON.stringify(value)}`, name);
    }
    out.push(`--${name}=${booleans.has(name) ? value.toLowerCase() : value}`);
  }
  return out;
}
