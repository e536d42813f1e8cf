import type { Pair } from '../model/types.ts';

// The iperf3 client arguments for one test. Always JSON (-J): the only output we trust, and the only
// one that carries iperf3's own "error" key. UDP always gets -b, or iperf3 sends 1 Mbit/s.

export interface IperfOptions {
  durationS: number;
  omitS: number;
  parallel: number;
  udpBitrate: string;
  connectTimeoutS: number;
  /** iperf3 RSA authentication: user name and the server's public key path (the password goes by env). */
  auth?: { username: string; publicKeyPath: string };
}

export function clientArgs(pair: Pair, options: IperfOptions): string[] {
  const destination = pair.destination;
  const args = ['-c', destination.ip, '-p', String(destination.port), '-J', '-t', String(options.durationS)];
  if (options.omitS > 0) args.push('-O', String(options.omitS));
  if (options.parallel > 1) args.push('-P', String(options.parallel));
  args.push('--connect-timeout', String(Math.round(options.connectTimeoutS * 1000)));
  if (pair.protocol === 'udp') args.push('-u', '-b', options.udpBitrate);
  if (options.auth) args.push('--username', options.auth.username, '--rsa-public-key-path', options.auth.publicKeyPath);
  return args;
}

/**
 * How long one test may take before it is killed: the test itself plus the connect timeout plus
 * slack for process start, the control exchange and result transfer (iperf3's own timers bound
 * none of those once connected).
 */
export function testTimeoutMs(options: IperfOptions): number {
  return Math.round((options.durationS + options.omitS + options.connectTimeoutS) * 1000 + 5000);
}

/** What one test normally takes, for deciding whether it can finish before a deadline. */
export function expectedTestMs(options: IperfOptions): number {
  return Math.round((options.durationS + options.omitS) * 1000 + 500);
}
