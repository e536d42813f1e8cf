import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import type { Server } from '../model/types.ts';
import { ConfigError } from '../errors/config-error.ts';
import { sortByNode } from '../model/sort-servers.ts';
import { isNetwork } from '../model/network.ts';

// Static targets for running without Kubernetes: a JSON or YAML list of {node, ip, port?, network?}
// (network: "host", the default, or "pod"; a node may be listed once per network). YAML is a superset
// of JSON, so one parser reads both. Every mistake names the file and the entry.

export function parseTargets(text: string, file: string, defaultPort: number): Server[] {
  const where = `--targets ${file}`;
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${where}: not valid JSON or YAML: ${(error as Error).message.split('\n')[0]!.replace(/:$/, '')}`, 'targets');
  }
  if (!Array.isArray(doc)) throw new ConfigError(`${where}: expected a list of {node, ip, port?, network?}`, 'targets');
  if (doc.length === 0) throw new ConfigError(`${where}: the list is empty`, 'targets');
  const seen = new Set<string>();
  const servers = doc.map((entry: unknown, index): Server => {
    const at = `${where}: entry ${index + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new ConfigError(`${at}: expected an object with node and ip`, 'targets');
    const { node, ip, port, network = 'host', ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new ConfigError(`${at}: unknown field "${extra[0]}" (allowed: node, ip, port, network)`, 'targets');
    if (typeof node !== 'string' || node.length === 0) throw new ConfigError(`${at}: "node" must be a non-empty string`, 'targets');
    if (node.startsWith('-')) {
      // It reaches --client-command's words ("ssh {node} iperf3"), where it would be read as an option.
      const why = 'it would be read as an option by the client command (e.g. ssh)';
      throw new ConfigError(`${at}: "node" must not start with "-", got ${JSON.stringify(node)}: ${why}`, 'targets');
    }
    if (typeof ip !== 'string' || isIP(ip) === 0)
      throw new ConfigError(`${at} (${node}): "ip" must be an IPv4 or IPv6 address, got ${JSON.stringify(ip)}`, 'targets');
    if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535)) {
      throw new ConfigError(`${at} (${node}): "port" must be an integer from 1 to 65535, got ${JSON.stringify(port)}`, 'targets');
    }
    if (!isNetwork(network))
      throw new ConfigError(`${at} (${node}): "network" must be "host" or "pod", got ${JSON.stringify(network)}`, 'targets');
    const key = `${node}\u0000${network}`;
    if (seen.has(key)) throw new ConfigError(`${at}: node ${JSON.stringify(node)} is listed twice on the ${network} network`, 'targets');
    seen.add(key);
    return { node, ip, port: (port as number | undefined) ?? defaultPort, network };
  });
  return sortByNode(servers);
}
