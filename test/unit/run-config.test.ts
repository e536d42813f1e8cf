// buildRunConfig: every bad flag value gives a ConfigError whose exact message names the flag and the
// value; good values give the exact RunConfig. Secret files are real temporary files.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { buildRunConfig, readSecretFile, type ConfigEnv, type ConfigFiles, type RawRunOptions, type RunConfig } from '../../src/config/run-config.ts';
import { ConfigError } from '../../src/errors/config-error.ts';
import { DEFAULT_SELECTOR } from '../../src/cli/run-options.ts';

/** The raw options exactly as yargs hands them over when no flag is given (see src/cli/run-options.ts). */
function raw(overrides: Partial<RawRunOptions> = {}): RawRunOptions {
  return {
    selector: DEFAULT_SELECTOR,
    mode: 'mesh',
    iperf3: 'iperf3',
    concurrency: 'auto',
    exclusive: false,
    deadline: '0',
    interference: 'retest',
    maxRetests: '0',
    interferenceTolerance: '2.5',
    protocols: 'tcp',
    duration: '5',
    omit: '1',
    parallel: '1',
    udpBitrate: '100M',
    port: '5201',
    connectTimeout: '3',
    busyRetries: '3',
    maxPairs: '0',
    maxResultAge: '3600',
    job: 'iperf3-monitor',
    pushTimeout: '10',
    pushRetries: '3',
    pushDeadline: '20',
    leaseWait: '0',
    leaseDuration: '60',
    output: 'table',
    dryRun: false,
    logLevel: 'info',
    ...overrides,
  };
}

let dir = '';
const secret = (name: string) => join(dir, name);
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-config-'));
  writeFileSync(secret('password'), 's3cret\n');
  writeFileSync(secret('token'), 'tok-123\r\n');
  writeFileSync(secret('empty'), '\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Real files; the service-account namespace file is absent unless a test says otherwise. */
function files(serviceAccountNamespace?: string): ConfigFiles {
  return { readText: (p) => readFileSync(p, 'utf8'), serviceAccountNamespace: () => serviceAccountNamespace };
}

function build(o: Partial<RawRunOptions>, env: ConfigEnv = {}, sa?: string): RunConfig {
  return buildRunConfig(raw(o), env, files(sa));
}

const mesh = { targets: 'targets.json', clientCommand: 'ip netns exec lab-{node} iperf3' };

describe('bad values: one ConfigError naming the flag and the value', () => {
  const cases: { flag: string; given: Partial<RawRunOptions>; env?: ConfigEnv; message: string }[] = [
    { flag: 'mode', given: { mode: 'ring' }, message: '--mode must be one of mesh, star, got "ring"' },
    { flag: 'mode', given: { mode: 'MESH' }, message: '--mode must be one of mesh, star, got "MESH"' },
    { flag: 'output', given: { output: 'yaml' }, message: '--output must be one of table, json, none, html, got "yaml"' },
    { flag: 'output', given: { output: ['html'] }, message: '--output html needs the file to write, e.g. --output html report.html, got "html"' },
    { flag: 'output', given: { output: ['json', 'out.json'] }, message: '--output json takes no file, got "json out.json"' },
    { flag: 'log-level', given: { logLevel: 'verbose' }, message: '--log-level must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"' },
    { flag: 'port', given: { port: '0' }, message: '--port must be an integer from 1 to 65535, got "0"' },
    { flag: 'port', given: { port: '65536' }, message: '--port must be an integer from 1 to 65535, got "65536"' },
    { flag: 'port', given: { port: '-1' }, message: '--port must be an integer from 1 to 65535, got "-1"' },
    { flag: 'port', given: { port: 'http' }, message: '--port must be an integer from 1 to 65535, got "http"' },
    { flag: 'port', given: { port: '5201.5' }, message: '--port must be an integer from 1 to 65535, got "5201.5"' },
    { flag: 'port', given: { port: '' }, message: '--port must be an integer from 1 to 65535, got ""' },
    { flag: 'duration', given: { duration: '0' }, message: '--duration must be an integer from 1 to 86400, got "0"' },
    { flag: 'duration', given: { duration: 'NaN' }, message: '--duration must be an integer from 1 to 86400, got "NaN"' },
    { flag: 'duration', given: { duration: '-5' }, message: '--duration must be an integer from 1 to 86400, got "-5"' },
    { flag: 'duration', given: { duration: '2.5' }, message: '--duration must be an integer from 1 to 86400, got "2.5"' },
    { flag: 'duration', given: { duration: '1e3' }, message: '--duration must be an integer from 1 to 86400, got "1e3"' },
    { flag: 'omit', given: { omit: '-1' }, message: '--omit must be an integer from 0 to 86400, got "-1"' },
    { flag: 'parallel', given: { parallel: '0' }, message: '--parallel must be an integer from 1 to 128, got "0"' },
    { flag: 'parallel', given: { parallel: '129' }, message: '--parallel must be an integer from 1 to 128, got "129"' },
    { flag: 'udp-bitrate', given: { udpBitrate: '0' }, message: '--udp-bitrate must be a rate such as 100M, 1G or 500K (bits/s), got "0"' },
    { flag: 'udp-bitrate', given: { udpBitrate: '-100M' }, message: '--udp-bitrate must be a rate such as 100M, 1G or 500K (bits/s), got "-100M"' },
    { flag: 'udp-bitrate', given: { udpBitrate: '100Mbit' }, message: '--udp-bitrate must be a rate such as 100M, 1G or 500K (bits/s), got "100Mbit"' },
    { flag: 'udp-bitrate', given: { udpBitrate: 'fast' }, message: '--udp-bitrate must be a rate such as 100M, 1G or 500K (bits/s), got "fast"' },
    { flag: 'connect-timeout', given: { connectTimeout: '0' }, message: '--connect-timeout must be a number > 0, got "0"' },
    { flag: 'connect-timeout', given: { connectTimeout: '-3' }, message: '--connect-timeout must be a number > 0, got "-3"' },
    { flag: 'connect-timeout', given: { connectTimeout: 'NaN' }, message: '--connect-timeout must be a number > 0, got "NaN"' },
    { flag: 'connect-timeout', given: { connectTimeout: 'Infinity' }, message: '--connect-timeout must be a number > 0, got "Infinity"' },
    { flag: 'connect-timeout', given: { connectTimeout: ' ' }, message: '--connect-timeout must be a number > 0, got " "' },
    { flag: 'interference', given: { interference: 'fix' }, message: '--interference must be one of retest, mark, off, got "fix"' },
    { flag: 'max-retests', given: { maxRetests: '-1' }, message: '--max-retests must be an integer from 0 to 100000000, got "-1"' },
    {
      flag: 'interference-tolerance',
      given: { interferenceTolerance: '100' },
      message: '--interference-tolerance must be a percentage above 0 and below 100, got "100"',
    },
    { flag: 'deadline', given: { deadline: '-1' }, message: '--deadline must be a number ≥ 0, got "-1"' },
    { flag: 'deadline', given: { deadline: 'soon' }, message: '--deadline must be a number ≥ 0, got "soon"' },
    { flag: 'deadline', given: { deadline: '' }, message: '--deadline must be a number ≥ 0, got ""' },
    { flag: 'concurrency', given: { concurrency: '-2' }, message: '--concurrency must be auto (one test out of and one into every node at a time), a count from 1 to 100000, or a share of the nodes such as 25%, got "-2"' },
    { flag: 'concurrency', given: { concurrency: 'NaN' }, message: '--concurrency must be auto (one test out of and one into every node at a time), a count from 1 to 100000, or a share of the nodes such as 25%, got "NaN"' },
    { flag: 'concurrency', given: { concurrency: '1.5' }, message: '--concurrency must be auto (one test out of and one into every node at a time), a count from 1 to 100000, or a share of the nodes such as 25%, got "1.5"' },
    { flag: 'concurrency', given: { concurrency: '0%' }, message: '--concurrency must be auto (one test out of and one into every node at a time), a count from 1 to 100000, or a share of the nodes such as 25%, got "0%"' },
    { flag: 'concurrency', given: { concurrency: '150%' }, message: '--concurrency must be auto (one test out of and one into every node at a time), a count from 1 to 100000, or a share of the nodes such as 25%, got "150%"' },
    { flag: 'concurrency', given: { concurrency: '100001' }, message: '--concurrency must be auto (one test out of and one into every node at a time), a count from 1 to 100000, or a share of the nodes such as 25%, got "100001"' },
    { flag: 'concurrency', given: { concurrency: 'eight' }, message: '--concurrency must be auto (one test out of and one into every node at a time), a count from 1 to 100000, or a share of the nodes such as 25%, got "eight"' },
    { flag: 'busy-retries', given: { busyRetries: '-1' }, message: '--busy-retries must be an integer from 0 to 100, got "-1"' },
    { flag: 'busy-retries', given: { busyRetries: '101' }, message: '--busy-retries must be an integer from 0 to 100, got "101"' },
    { flag: 'cross-zone-share', given: { crossZoneShare: '2', nodeZones: true }, message: '--cross-zone-share must be a number > 0 and ≤ 1, got "2"' },
    { flag: 'cross-zone-share', given: { crossZoneShare: '0', nodeZones: true }, message: '--cross-zone-share must be a number > 0 and ≤ 1, got "0"' },
    { flag: 'cross-zone-share', given: { crossZoneShare: '0.5' }, message: "--cross-zone-share needs the nodes' zones: add --node-zones (Kubernetes discovery)" },
    { flag: 'node-zones', given: { targets: 't.json', nodeZones: true }, message: '--node-zones reads Kubernetes Nodes; it does not apply to --targets' },
    { flag: 'max-pairs', given: { maxPairs: '-1' }, message: '--max-pairs must be an integer from 0 to 100000000, got "-1"' },
    { flag: 'max-pairs', given: { maxPairs: 'all' }, message: '--max-pairs must be an integer from 0 to 100000000, got "all"' },
    { flag: 'max-result-age', given: { maxResultAge: '0' }, message: '--max-result-age must be a number > 0, got "0"' },
    { flag: 'max-result-age', given: { maxResultAge: '1h' }, message: '--max-result-age must be a number > 0, got "1h"' },
    { flag: 'protocols', given: { protocols: 'sctp' }, message: '--protocols must be a comma-separated list of tcp and udp, got "sctp"' },
    { flag: 'protocols', given: { protocols: 'tcp,' }, message: '--protocols must be a comma-separated list of tcp and udp, got "tcp,"' },
    { flag: 'protocols', given: { protocols: '' }, message: '--protocols must be a comma-separated list of tcp and udp, got ""' },
    { flag: 'protocols', given: { protocols: 'tcp udp' }, message: '--protocols must be a comma-separated list of tcp and udp, got "tcp udp"' },
    { flag: 'protocols', given: { protocols: 'tcp,TCP' }, message: '--protocols lists tcp twice in "tcp,TCP"' },
    { flag: 'targets', given: { targets: '' }, message: '--targets must name a file, got ""' },
    { flag: 'all-namespaces', given: { targets: 't.json', allNamespaces: true }, message: '--all-namespaces applies to Kubernetes discovery, not to --targets' },
    { flag: 'namespace', given: { namespace: 'monitoring', allNamespaces: true }, message: '--namespace "monitoring" and --all-namespaces exclude each other' },
    { flag: 'namespace', given: { namespace: 'Bad_NS' }, message: '--namespace must be a Kubernetes namespace name, got "Bad_NS"' },
    { flag: 'namespace', given: { namespace: '' }, message: '--namespace must be a Kubernetes namespace name, got ""' },
    { flag: 'namespace', given: { namespace: 'a/b' }, message: '--namespace must be a Kubernetes namespace name, got "a/b"' },
    { flag: 'selector', given: { selector: '  ' }, message: '--selector must not be empty: it would select every pod' },
    {
      flag: 'client-command',
      given: { targets: 't.json' },
      message: '--client-command is required in mesh mode with --targets: say how to run iperf3 on a node, e.g. "ssh {node} iperf3"',
    },
    {
      flag: 'client-command',
      given: { ...mesh, clientCommand: 'ssh host-a iperf3' },
      message: '--client-command must contain {node} (where the source node\'s name goes), got "ssh host-a iperf3"',
    },
    { flag: 'client-command', given: { ...mesh, clientCommand: '   ' }, message: '--client-command must not be empty' },
    {
      flag: 'client-command',
      given: { ...mesh, clientCommand: 'ssh "{node} iperf3' },
      message: '--client-command: unterminated " quote in "ssh \\"{node} iperf3"',
    },
    {
      flag: 'client-command',
      given: { mode: 'star', sourceNode: 'n1', clientCommand: 'ssh {node} iperf3' },
      message: '--client-command applies to mesh mode; star mode runs --iperf3 locally',
    },
    {
      flag: 'source-node',
      given: { mode: 'star' },
      message: 'star mode needs the node it runs on: pass --source-node or set SOURCE_NODE_NAME (Downward API spec.nodeName)',
    },
    {
      flag: 'source-node',
      given: { mode: 'star', sourceNode: '' },
      env: { SOURCE_NODE_NAME: '' },
      message: 'star mode needs the node it runs on: pass --source-node or set SOURCE_NODE_NAME (Downward API spec.nodeName)',
    },
    { flag: 'iperf3', given: { mode: 'star', sourceNode: 'n1', iperf3: ' ' }, message: '--iperf3 must name the iperf3 binary, got ""' },
    { flag: 'job', given: { job: '' }, message: '--job must not be empty' },
    { flag: 'pushgateway', given: { pushgateway: 'gateway:9091' }, message: '--pushgateway must be an http(s) URL, got "gateway:9091"' },
    { flag: 'pushgateway', given: { pushgateway: 'not a url' }, message: '--pushgateway must be an http(s) URL, got "not a url"' },
    { flag: 'pushgateway', given: { pushgateway: '' }, message: '--pushgateway must be an http(s) URL, got ""' },
    { flag: 'pushgateway', given: { pushgateway: 'ftp://gw:9091' }, message: '--pushgateway must be an http(s) URL, got "ftp://gw:9091"' },
    { flag: 'pushgateway', given: { pushgateway: 'http://gw:9091/?x=1' }, message: '--pushgateway must not have a query or fragment, got "http://gw:9091/?x=1"' },
    { flag: 'pushgateway', given: { pushgateway: 'http://gw:9091/#top' }, message: '--pushgateway must not have a query or fragment, got "http://gw:9091/#top"' },
    { flag: 'push-timeout', given: { pushgateway: 'http://gw:9091', pushTimeout: '0' }, message: '--push-timeout must be a number > 0, got "0"' },
    { flag: 'push-timeout', given: { pushgateway: 'http://gw:9091', pushTimeout: 'NaN' }, message: '--push-timeout must be a number > 0, got "NaN"' },
    { flag: 'push-retries', given: { pushgateway: 'http://gw:9091', pushRetries: '-1' }, message: '--push-retries must be an integer from 0 to 10, got "-1"' },
    { flag: 'push-retries', given: { pushgateway: 'http://gw:9091', pushRetries: '11' }, message: '--push-retries must be an integer from 0 to 10, got "11"' },
    { flag: 'push-deadline', given: { pushgateway: 'http://gw:9091', pushDeadline: '0' }, message: '--push-deadline must be a number > 0, got "0"' },
    { flag: 'lease', given: { lease: 'Run_Lease' }, message: '--lease must be a Kubernetes object name, got "Run_Lease"' },
    { flag: 'lease-namespace', given: { leaseNamespace: 'ns' }, message: '--lease-namespace needs --lease' },
    { flag: 'lease-wait', given: { lease: 'run', leaseWait: '-1' }, message: '--lease-wait must be a number ≥ 0, got "-1"' },
    { flag: 'lease-duration', given: { lease: 'run', leaseDuration: '5' }, message: '--lease-duration must be an integer from 10 to 3600, got "5"' },
    {
      flag: 'pushgateway-password',
      given: { pushgateway: 'http://gw:9091', pushgatewayPassword: 'pw' },
      message: '--pushgateway-password needs --pushgateway-username',
    },
    {
      flag: 'pushgateway-token',
      given: { pushgateway: 'http://gw:9091', pushgatewayUsername: 'u', pushgatewayToken: 't' },
      message: '--pushgateway-token and --pushgateway-username exclude each other',
    },
    { flag: 'pushgateway-token', given: { pushgateway: 'http://gw:9091', pushgatewayToken: '' }, message: '--pushgateway-token is empty' },
    { flag: 'pushgateway', given: { pushgatewayUsername: 'u' }, message: '--pushgateway-username/-password/-token/-ca-file need --pushgateway' },
    { flag: 'pushgateway', given: { pushgatewayToken: 't' }, message: '--pushgateway-username/-password/-token/-ca-file need --pushgateway' },
    { flag: 'pushgateway', given: { pushgatewayCaFile: '/ca.pem' }, message: '--pushgateway-username/-password/-token/-ca-file need --pushgateway' },
    { flag: 'pushgateway', given: { pushgatewayPasswordFile: '/pw' }, message: '--pushgateway-username/-password/-token/-ca-file need --pushgateway' },
  ];
  for (const c of cases) {
    test(`${JSON.stringify(c.given)} → ${c.message}`, () => {
      assert.throws(
        () => build(c.given, c.env),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.equal(e.message, c.message);
          assert.equal(e.flag, c.flag);
          return true;
        },
      );
    });
  }

  test('secret files that cannot be read or are empty name the flag and the file', () => {
    const missing = join(dir, 'nope');
    const table: { given: Partial<RawRunOptions>; message: string; flag: string }[] = [
      {
        given: { pushgateway: 'http://gw:9091', pushgatewayUsername: 'u', pushgatewayPasswordFile: missing },
        message: `--pushgateway-password-file ${missing}: cannot read: ENOENT`,
        flag: 'pushgateway-password-file',
      },
      {
        given: { pushgateway: 'http://gw:9091', pushgatewayTokenFile: dir },
        message: `--pushgateway-token-file ${dir}: cannot read: EISDIR`,
        flag: 'pushgateway-token-file',
      },
      { given: { pushgateway: 'http://gw:9091', pushgatewayTokenFile: secret('empty') }, message: '--pushgateway-token is empty', flag: 'pushgateway-token' },
    ];
    for (const c of table) {
      assert.throws(() => build(c.given), { name: 'ConfigError', message: c.message, flag: c.flag });
    }
  });

  test('a Pushgateway URL carrying credentials is refused (fetch cannot send it; the password would be logged)', () => {
    assert.throws(
      () => build({ pushgateway: 'http://user:hunter2@gw:9091' }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
        assert.equal(e.flag, 'pushgateway');
        assert.equal(
          e.message,
          '--pushgateway must not carry credentials in the URL; use --pushgateway-username with --pushgateway-password-file, or --pushgateway-token-file',
        );
        return true;
      },
    );
  });
});

describe('good values: the exact configuration', () => {
  const kubernetesDefaults: RunConfig = {
    discovery: { kind: 'kubernetes', allNamespaces: false, selector: DEFAULT_SELECTOR, namespace: 'default' },
    mode: 'mesh',
    iperf3: 'iperf3',
    concurrency: { kind: 'auto' },
    exclusive: false,
    interference: 'retest',
    maxRetests: 0,
    interferenceTolerance: 0.025,
    protocols: ['tcp'],
    iperf: { durationS: 5, omitS: 1, parallel: 1, udpBitrate: '100M', connectTimeoutS: 3 },
    port: 5201,
    busyRetries: 3,
    maxPairs: 0,
    maxResultAgeS: 3600,
    job: 'iperf3-monitor',
    output: 'table',
    dryRun: false,
    logLevel: 'info',
  };

  test('no flags: mesh mode over Kubernetes in namespace "default", pods/exec, no push', () => {
    assert.deepEqual(build({}), kubernetesDefaults);
  });

  test('in a pod, the namespace defaults to the service account\'s', () => {
    assert.deepEqual(build({}, {}, 'monitoring').discovery, { kind: 'kubernetes', allNamespaces: false, selector: DEFAULT_SELECTOR, namespace: 'monitoring' });
  });

  test('--namespace beats the service account\'s namespace; --all-namespaces has no namespace at all', () => {
    assert.deepEqual(build({ namespace: 'net' }, {}, 'monitoring').discovery, { kind: 'kubernetes', allNamespaces: false, selector: DEFAULT_SELECTOR, namespace: 'net' });
    assert.deepEqual(build({ allNamespaces: true }, {}, 'monitoring').discovery, { kind: 'kubernetes', allNamespaces: true, selector: DEFAULT_SELECTOR });
  });

  test('kubeconfig, server container and selector are carried through', () => {
    assert.deepEqual(build({ kubeconfig: '/k.yaml', serverContainer: 'iperf3', selector: 'app=x' }).discovery, {
      kind: 'kubernetes',
      allNamespaces: false,
      selector: 'app=x',
      namespace: 'default',
      kubeconfig: '/k.yaml',
      container: 'iperf3',
    });
  });

  test('static mesh: the client command is split into words once, {node} kept for later', () => {
    const c = build({ targets: '/lab/targets.yaml', clientCommand: `ssh -o 'ProxyJump jump host' {node} /usr/bin/iperf3` });
    assert.deepEqual(c.discovery, { kind: 'static', file: '/lab/targets.yaml' });
    assert.deepEqual(c.clientCommand, ['ssh', '-o', 'ProxyJump jump host', '{node}', '/usr/bin/iperf3']);
  });

  test('star mode takes --source-node, else SOURCE_NODE_NAME; the flag wins', () => {
    assert.equal(build({ mode: 'star', sourceNode: 'n1' }).sourceNode, 'n1');
    assert.equal(build({ mode: 'star' }, { SOURCE_NODE_NAME: 'node-7' }).sourceNode, 'node-7');
    assert.equal(build({ mode: 'star', sourceNode: 'n1' }, { SOURCE_NODE_NAME: 'node-7' }).sourceNode, 'n1');
    assert.equal(build({}, { SOURCE_NODE_NAME: 'node-7' }).sourceNode, undefined, 'mesh mode has no single source');
  });

  test('every number and list in range, pushed with basic auth from a file', () => {
    const c = build({
      targets: 't.json',
      mode: 'star',
      sourceNode: 'n1',
      iperf3: '/opt/iperf3',
      concurrency: '25%',
      runInterval: '300',
      exclusive: true,
      deadline: '55.5',
      interference: 'mark',
      maxRetests: '12',
      interferenceTolerance: '5',
      protocols: ' UDP , tcp',
      duration: '86400',
      omit: '0',
      parallel: '128',
      udpBitrate: '1.5G',
      port: '65535',
      connectTimeout: '0.25',
      busyRetries: '0',
      maxPairs: '100000000',
      maxResultAge: '0.5',
      pushgateway: 'https://gw.example:9091/prefix/',
      job: 'net/check',
      pushTimeout: '2.5',
      pushRetries: '0',
      pushDeadline: '20',
      pushgatewayUsername: 'runner',
      pushgatewayPasswordFile: secret('password'),
      output: 'json',
      dryRun: true,
      logLevel: 'silent',
    });
    assert.deepEqual(c, {
      discovery: { kind: 'static', file: 't.json' },
      mode: 'star',
      sourceNode: 'n1',
      iperf3: '/opt/iperf3',
      concurrency: { kind: 'share', share: 0.25 },
      exclusive: true,
      deadlineS: 55.5,
      runIntervalS: 300,
      interference: 'mark',
      maxRetests: 12,
      interferenceTolerance: 0.05,
      protocols: ['udp', 'tcp'],
      iperf: { durationS: 86400, omitS: 0, parallel: 128, udpBitrate: '1.5G', connectTimeoutS: 0.25 },
      port: 65535,
      busyRetries: 0,
      maxPairs: 100_000_000,
      maxResultAgeS: 0.5,
      push: { url: 'https://gw.example:9091/prefix', timeoutMs: 2500, retries: 0, deadlineMs: 20000, username: 'runner', password: 's3cret' },
      job: 'net/check',
      output: 'json',
      dryRun: true,
      logLevel: 'silent',
    } satisfies RunConfig);
  });

  test('a bearer token from a file loses its final CRLF; a username without a password sends an empty one', () => {
    assert.deepEqual(build({ pushgateway: 'http://gw:9091', pushgatewayTokenFile: secret('token'), pushgatewayCaFile: '/ca.pem' }).push, {
      url: 'http://gw:9091',
      timeoutMs: 10_000,
      retries: 3,
      deadlineMs: 20_000,
      token: 'tok-123',
      caFile: '/ca.pem',
    });
    assert.deepEqual(build({ pushgateway: 'http://gw:9091', pushgatewayUsername: 'u' }).push, {
      url: 'http://gw:9091',
      timeoutMs: 10_000,
      retries: 3,
      deadlineMs: 20_000,
      username: 'u',
      password: '',
    });
  });

  test('the password file beats the password given directly', () => {
    const c = build({ pushgateway: 'http://gw:9091', pushgatewayUsername: 'u', pushgatewayPassword: 'from-env', pushgatewayPasswordFile: secret('password') });
    assert.equal(c.push?.password, 's3cret');
  });

  test('--output html FILE carries its file, from flags or from one environment value', () => {
    assert.deepEqual([build({ output: ['html', 'r.html'] }).output, build({ output: ['html', 'r.html'] }).outputFile], ['html', 'r.html']);
    assert.deepEqual([build({ output: ['html /tmp/my report.html'] }).output, build({ output: ['html /tmp/my report.html'] }).outputFile], ['html', '/tmp/my report.html']);
    assert.equal(build({ output: ['json'] }).outputFile, undefined);
  });

  test('--deadline 0 means no deadline', () => {
    assert.equal('deadlineS' in build({ deadline: '0' }), false);
  });

  test('readSecretFile trims one final newline only', () => {
    writeFileSync(secret('two'), 'a\n\n');
    assert.equal(readSecretFile('x', secret('two'), files()), 'a\n');
  });
});
