import { ConfigError } from '../errors/config-error.ts';
import { readSecretFile, type ConfigFiles } from './run-config.ts';

// iperf3's own RSA authentication, client side: the user name and the server's public key go on the
// iperf3 command line (neither is secret); the password never does — iperf3 reads it from
// IPERF3_PASSWORD, which the runner sets in the client's environment from --auth-password-file, or
// which the client's own environment already holds (the server pod's, under pods/exec).

export interface IperfAuth {
  username: string;
  /** Path of the server's RSA public key (PEM) where the client runs. */
  publicKeyPath: string;
  /** From --auth-password-file; undefined: the client's environment must hold IPERF3_PASSWORD. */
  password?: string;
}

export interface RawAuthOptions {
  authUsername?: string;
  authPublicKey?: string;
  authPasswordFile?: string;
}

/** `podsExec`: the client runs through pods/exec, whose environment the runner cannot set. */
export function buildIperfAuth(raw: RawAuthOptions, files: ConfigFiles, podsExec: boolean): IperfAuth | undefined {
  const { authUsername: username, authPublicKey: publicKeyPath, authPasswordFile } = raw;
  if (username === undefined && publicKeyPath === undefined) {
    if (authPasswordFile !== undefined)
      throw new ConfigError('--auth-password-file needs --auth-username and --auth-public-key', 'auth-password-file');
    return undefined;
  }
  if (username === undefined || !/^[^\s,]+$/.test(username)) {
    throw new ConfigError(
      `--auth-username must be a user name without spaces or commas (with --auth-public-key), got ${JSON.stringify(username ?? '')}`,
      'auth-username',
    );
  }
  if (publicKeyPath === undefined || publicKeyPath === '') {
    throw new ConfigError(
      "--auth-username needs --auth-public-key: the server's RSA public key (PEM) that encrypts the credentials",
      'auth-public-key',
    );
  }
  const auth: IperfAuth = { username, publicKeyPath };
  if (authPasswordFile !== undefined) {
    if (podsExec) {
      const how = 'give the server pods IPERF3_PASSWORD (the chart does, with iperf3Auth.enabled)';
      throw new ConfigError(`--auth-password-file cannot reach a client started through pods/exec: ${how}`, 'auth-password-file');
    }
    const password = readSecretFile('auth-password-file', authPasswordFile, files);
    if (password === '') throw new ConfigError(`--auth-password-file ${authPasswordFile} is empty`, 'auth-password-file');
    auth.password = password;
  }
  return auth;
}

/** What the runner adds to a local client's environment: the iperf3 password, never its argv. */
export function clientEnv(auth: IperfAuth | undefined): Record<string, string> | undefined {
  return auth?.password !== undefined ? { IPERF3_PASSWORD: auth.password } : undefined;
}
