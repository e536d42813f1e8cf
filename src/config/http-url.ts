import { ConfigError } from '../errors/config-error.ts';

// An http(s) base URL given on the command line (--pushgateway, --prometheus): no credentials (fetch
// refuses them and they would end up in logs), no query or fragment; returned without trailing slashes.

/** `credentialsHint`: where this flag's credentials go instead, appended to the message about credentials. */
export function httpUrl(flag: string, value: string, credentialsHint?: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--${flag} must be an http(s) URL, got ${JSON.stringify(value)}`, flag);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`--${flag} must be an http(s) URL, got ${JSON.stringify(value)}`, flag);
  }
  if (url.username || url.password) {
    throw new ConfigError(`--${flag} must not carry credentials in the URL${credentialsHint ? `; ${credentialsHint}` : ''}`, flag);
  }
  if (url.search || url.hash) throw new ConfigError(`--${flag} must not have a query or fragment, got ${JSON.stringify(value)}`, flag);
  return value.replace(/\/+$/, '');
}
