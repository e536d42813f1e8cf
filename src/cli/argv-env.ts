import { ConfigError } from '../errors/config-error.ts';

// Environment fallbacks for options: IPERF3_MONITOR_<OPTION_NAME> becomes `--option-name=value`
// placed before the user's own arguments, so the command line wins over the environment.
// Not yargs' .env(): it takes every IPERF3_MONITOR_* variable as an option, and Kubernetes' service
// links put IPERF3_MONITOR_PUSHGATEWAY_SERVICE_HOST and the like into the runner's pod (strict mode
// would then refuse to run); and it reads a boolean "yes" or "1" as false without a word. Here only
// the options' own names are read, and a boolean must say true or false.

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
