// parseTargets: static targets files in JSON and YAML, and every mistake in them as one ConfigError
// naming the file, the entry and the value.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargets } from '../../src/discovery/targets-file.ts';
import { ConfigError } from '../../src/errors/config-error.ts';

const FILE = '/etc/iperf3-monitor/targets.yaml';

describe('good files', () => {
  const cases: { name: string; text: string; expected: { node: string; ip: string; port: number }[] }[] = [
    {
      name: 'JSON, sorted by node, the default port where none is given',
      text: '[{"node": "n2", "ip": "10.0.0.2", "port": 5301}, {"node": "n1", "ip": "10.0.0.1"}]',
      expected: [
        { node: 'n1', ip: '10.0.0.1', port: 5201 },
        { node: 'n2', ip: '10.0.0.2', port: 5301 },
      ],
    },
    {
      name: 'YAML with IPv6, comments and a quoted port-less entry',
      text: '# lab nodes\n- node: b\n  ip: "fd00::2"\n  port: 1\n- {node: a, ip: ::1}\n- node: "c d"\n  ip: 192.168.1.3\n  port: 65535\n',
      expected: [
        { node: 'a', ip: '::1', port: 5201 },
        { node: 'b', ip: 'fd00::2', port: 1 },
        { node: 'c d', ip: '192.168.1.3', port: 65535 },
      ],
    },
    {
      name: 'node names with slashes, quotes and unicode are kept as written',
      text: JSON.stringify([
        { node: 'rack/1', ip: '10.0.0.1' },
        { node: 'Zürich "edge"', ip: '10.0.0.2' },
        { node: 'ノード', ip: '10.0.0.3' },
      ]),
      expected: [
        { node: 'Zürich "edge"', ip: '10.0.0.2', port: 5201 },
        { node: 'rack/1', ip: '10.0.0.1', port: 5201 },
        { node: 'ノード', ip: '10.0.0.3', port: 5201 },
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(parseTargets(c.text, FILE, 5201), c.expected));
  }
});

describe('bad files', () => {
  const cases: { name: string; text: string; message: string }[] = [
    { name: 'an empty file', text: '', message: `--targets ${FILE}: expected a list of {node, ip, port?}` },
    { name: 'an empty list', text: '[]', message: `--targets ${FILE}: the list is empty` },
    { name: 'an object instead of a list', text: '{"nodes": []}', message: `--targets ${FILE}: expected a list of {node, ip, port?}` },
    { name: 'a scalar', text: 'n1', message: `--targets ${FILE}: expected a list of {node, ip, port?}` },
    {
      name: 'truncated JSON',
      text: '[{"node": "a", "ip": "10.0.0.1"',
      message: `--targets ${FILE}: not valid JSON or YAML: Flow map in block collection must be sufficiently indented and end with a } at line 1, column 32`,
    },
    {
      name: 'a YAML mapping with a key twice',
      text: '- node: a\n  ip: 1.2.3.4\n  node: b\n',
      message: `--targets ${FILE}: not valid JSON or YAML: Map keys must be unique at line 3, column 3`,
    },
    {
      name: 'tabs as YAML indentation',
      text: '\t- node: a',
      message: `--targets ${FILE}: not valid JSON or YAML: Tabs are not allowed as indentation at line 1, column 1`,
    },
    { name: 'an entry that is a string', text: '- n1\n', message: `--targets ${FILE}: entry 1: expected an object with node and ip` },
    { name: 'an entry that is a list', text: '[[]]', message: `--targets ${FILE}: entry 1: expected an object with node and ip` },
    { name: 'an entry that is null', text: '[{"node": "a", "ip": "10.0.0.1"}, null]', message: `--targets ${FILE}: entry 2: expected an object with node and ip` },
    {
      name: 'an unknown field (a typo of port)',
      text: '[{"node": "a", "ip": "10.0.0.1", "prot": 5201}]',
      message: `--targets ${FILE}: entry 1: unknown field "prot" (allowed: node, ip, port)`,
    },
    { name: 'no node', text: '[{"ip": "10.0.0.1"}]', message: `--targets ${FILE}: entry 1: "node" must be a non-empty string` },
    { name: 'an empty node', text: '[{"node": "", "ip": "10.0.0.1"}]', message: `--targets ${FILE}: entry 1: "node" must be a non-empty string` },
    { name: 'a numeric node', text: '- node: 7\n  ip: 10.0.0.1\n', message: `--targets ${FILE}: entry 1: "node" must be a non-empty string` },
    { name: 'no ip', text: '[{"node": "a"}]', message: `--targets ${FILE}: entry 1 (a): "ip" must be an IPv4 or IPv6 address, got undefined` },
    {
      name: 'a host name instead of an ip',
      text: '[{"node": "a", "ip": "node-a.local"}]',
      message: `--targets ${FILE}: entry 1 (a): "ip" must be an IPv4 or IPv6 address, got "node-a.local"`,
    },
    {
      name: 'an ip out of range',
      text: '[{"node": "a", "ip": "10.0.0.256"}]',
      message: `--targets ${FILE}: entry 1 (a): "ip" must be an IPv4 or IPv6 address, got "10.0.0.256"`,
    },
    {
      name: 'an ip with a port in it',
      text: '[{"node": "a", "ip": "10.0.0.1:5201"}]',
      message: `--targets ${FILE}: entry 1 (a): "ip" must be an IPv4 or IPv6 address, got "10.0.0.1:5201"`,
    },
    { name: 'port 0', text: '[{"node": "a", "ip": "10.0.0.1", "port": 0}]', message: `--targets ${FILE}: entry 1 (a): "port" must be an integer from 1 to 65535, got 0` },
    {
      name: 'port 65536',
      text: '[{"node": "a", "ip": "10.0.0.1", "port": 65536}]',
      message: `--targets ${FILE}: entry 1 (a): "port" must be an integer from 1 to 65535, got 65536`,
    },
    {
      name: 'a port as a string',
      text: '[{"node": "a", "ip": "10.0.0.1", "port": "5201"}]',
      message: `--targets ${FILE}: entry 1 (a): "port" must be an integer from 1 to 65535, got "5201"`,
    },
    {
      name: 'a fractional port',
      text: '[{"node": "a", "ip": "10.0.0.1", "port": 5201.5}]',
      message: `--targets ${FILE}: entry 1 (a): "port" must be an integer from 1 to 65535, got 5201.5`,
    },
    {
      name: 'a node name starting with "-"',
      text: '[{"node": "-oProxyCommand=id", "ip": "10.0.0.1"}]',
      message: `--targets ${FILE}: entry 1: "node" must not start with "-", got "-oProxyCommand=id": it would be read as an option by the client command (e.g. ssh)`,
    },
    {
      name: 'a node listed twice',
      text: '[{"node": "a", "ip": "10.0.0.1"}, {"node": "b", "ip": "10.0.0.2"}, {"node": "a", "ip": "10.0.0.3"}]',
      message: `--targets ${FILE}: entry 3: node "a" is listed twice`,
    },
  ];
  for (const c of cases) {
    test(`${c.name} → ${c.message}`, () => {
      assert.throws(
        () => parseTargets(c.text, FILE, 5201),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.equal(e.message, c.message);
          assert.equal(e.flag, 'targets');
          return true;
        },
      );
    });
  }
});
