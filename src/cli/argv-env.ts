// Environment fallbacks for options: IPERF3_MONITOR_<OPTION_NAME> becomes `--option-name=value`
// placed before the user's own arguments, so the command line wins over the environment. Kept apart
// from yargs' .env() so that tests pass an env object instead of mutating process.env.

export const ENV_PREFIX = 'IPERF3_MONITOR_';

export function envArgs(optionNames: Iterable<string>, env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const name of optionNames) {
    const value = env[ENV_PREFIX + name.toUpperCase().replaceAll('-', '_')];
    if (value !== undefined) out.push(`--${name}=${value}`);
  }
  return out;
}
