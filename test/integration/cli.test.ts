// The built binary (node dist/iperf3-monitor.mjs) as a user and the CronJob run it: exit codes, the
// one-line messages, env fallbacks, --help, --dry-run, and --output json on a real loopback cycle
// (real iperf3 servers on 127.0.0.1, a real Pushgateway).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, logLines, runCli } from '../support/cli.ts';
import { startIperf3Server, type Iperf3Server } from '../support/iperf3-server.ts';
import { startPushgateway, wipe, type RealPushgateway } from '../support/pushgateway.ts';
import { startRecorder, reply, type HttpRecorder } from '../support/http-recorder.ts';
import { freePort } from '../support/free-port.ts';

let dir = '';
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
let targets = '';

before(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
  targets = file('targets.json', JSON.stringify([{ node: 'n2', ip: '10.0.0.2', port: 5301 }, { node: 'n1', ip: '10.0.0.1' }, { node: 'n3', ip: 'fd00::3' }]));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const pick = (p: Record<string, unknown>) => ({ success: p.success, bandwidth_mbps: p.bandwidth_mbps, error: p.error });
const usageHint = "Run 'iperf3-monitor <command> --help' to see the options.\n";

describe('invalid configuration: exit 2 and one line naming the flag', () => {
  const star = () => ['--targets', targets, '--mode', 'star', '--source-node', 'n1', '--dry-run'];
  const cases: { args: () => string[]; env?: Record<string, string>; stderr: string }[] = [
    { args: () => ['run', '--concurrency', '0%'], stderr: 'iperf3-monitor: --concurrency must be auto (one test out of and one into every node at a time), a count from 1 to 100000, or a share of the nodes such as 25%, got "0%"\n' },
    { args: () => ['run', '--mode', 'ring'], stderr: 'iperf3-monitor: --mode must be one of mesh, star, got "ring"\n' },
    { args: () => ['run', '--port', 'http'], stderr: 'iperf3-monitor: --port must be an integer from 1 to 65535, got "http"\n' },
    { args: () => ['run', '--duration', '-5'], stderr: 'iperf3-monitor: --duration must be an integer from 1 to 86400, got "-5"\n' },
    { args: () => ['run', '--deadline=-1'], stderr: 'iperf3-monitor: --deadline must be a number ≥ 0, got "-1"\n' },
    { args: () => ['run', '--protocols', 'tcp,sctp'], stderr: 'iperf3-monitor: --protocols must be a comma-separated list of tcp and udp, got "tcp,sctp"\n' },
    { args: () => ['run', '--output', 'xml'], stderr: 'iperf3-monitor: --output must be one of table, json, none, html, got "xml"\n' },
    { args: () => ['run', '--pushgateway', 'gateway:9091'], stderr: 'iperf3-monitor: --pushgateway must be an http(s) URL, got "gateway:9091"\n' },
    {
      args: () => ['run', '--targets', targets, '--client-command', 'ssh host iperf3'],
      stderr: 'iperf3-monitor: --client-command must contain {node} (where the source node\'s name goes), got "ssh host iperf3"\n',
    },
    {
      args: () => ['run', '--targets', targets],
      stderr: 'iperf3-monitor: --client-command is required in mesh mode with --targets: say how to run iperf3 on a node, e.g. "ssh {node} iperf3"\n',
    },
    {
      args: () => ['run', '--mode', 'star'],
      stderr: 'iperf3-monitor: star mode needs the node it runs on: pass --source-node or set SOURCE_NODE_NAME (Downward API spec.nodeName)\n',
    },
    { args: () => ['run', '--namespace', 'a', '--all-namespaces'], stderr: 'iperf3-monitor: --namespace "a" and --all-namespaces exclude each other\n' },
    { args: () => ['run', ...star(), '--concurrency'], stderr: "iperf3-monitor: Not enough arguments following: concurrency\nRun 'iperf3-monitor <command> --help' to see the options.\n" },
    { args: () => [...['run', ...star()], '--pushgateway-token', 't'], stderr: 'iperf3-monitor: --pushgateway-username/-password/-token/-ca-file need --pushgateway\n' },
    { args: () => ['run', '--bogus'], stderr: `iperf3-monitor: Unknown argument: bogus\n${usageHint}` },
    { args: () => [], stderr: `iperf3-monitor: Name a command: run, verify, lab or demo.\n${usageHint}` },
    // Environment fallbacks are validated the same way.
    { args: () => ['run'], env: { IPERF3_MONITOR_CONCURRENCY: '0%' }, stderr: 'iperf3-monitor: --concurrency must be auto (one test out of and one into every node at a time), a count from 1 to 100000, or a share of the nodes such as 25%, got "0%"\n' },
    { args: () => ['run'], env: { IPERF3_MONITOR_MODE: 'ring' }, stderr: 'iperf3-monitor: --mode must be one of mesh, star, got "ring"\n' },
    { args: () => ['verify'], env: { IPERF3_MONITOR_MIN_TCP_MBPS: 'fast' }, stderr: 'iperf3-monitor: --min-tcp-mbps must be a number of Mbit/s > 0, got "fast"\n' },
    { args: () => ['run', '--output', 'html'], stderr: 'iperf3-monitor: --output html needs the file to write, e.g. --output html report.html, got "html"\n' },
    { args: () => ['run'], env: { IPERF3_MONITOR_DURATION: 'NaN' }, stderr: 'iperf3-monitor: --duration must be an integer from 1 to 86400, got "NaN"\n' },
    {
      args: () => ['run'],
      env: { IPERF3_MONITOR_UDP_BITRATE: 'fast' },
      stderr: 'iperf3-monitor: --udp-bitrate must be a rate such as 100M, 1G or 500K (bits/s), got "fast"\n',
    },
    { args: () => ['run'], env: { IPERF3_MONITOR_PUSHGATEWAY: 'ftp://gw' }, stderr: 'iperf3-monitor: --pushgateway must be an http(s) URL, got "ftp://gw"\n' },
    { args: () => ['run'], env: { IPERF3_MONITOR_PUSH_RETRIES: '11', IPERF3_MONITOR_PUSHGATEWAY: 'http://gw:9091' }, stderr: 'iperf3-monitor: --push-retries must be an integer from 0 to 10, got "11"\n' },
    { args: () => ['run', ...star()], env: { IPERF3_MONITOR_LOG_LEVEL: 'loud' }, stderr: 'iperf3-monitor: --log-level must be one of trace, debug, info, warn, error, fatal, silent, got "loud"\n' },
    // Unreadable or malformed targets files.
    { args: () => ['run', '--targets', '/nonexistent/t.json', '--mode', 'star', '--source-node', 'x'], stderr: 'iperf3-monitor: --targets /nonexistent/t.json: cannot read: ENOENT\n' },
    { args: () => ['run', '--targets', dir, '--mode', 'star', '--source-node', 'x'], stderr: `iperf3-monitor: --targets ${dir}: cannot read: EISDIR\n` },
    {
      args: () => ['run', '--targets', file('bad.yaml', '- node: a\n  ip: 10.0.0.1\n  node: b\n'), '--mode', 'star', '--source-node', 'x'],
      stderr: `iperf3-monitor: --targets ${join(dir, 'bad.yaml')}: not valid JSON or YAML: Map keys must be unique at line 3, column 3\n`,
    },
    {
      args: () => ['run', '--targets', file('dup.json', '[{"node":"a","ip":"10.0.0.1"},{"node":"a","ip":"10.0.0.2"}]'), '--mode', 'star', '--source-node', 'x'],
      stderr: `iperf3-monitor: --targets ${join(dir, 'dup.json')}: entry 2: node "a" is listed twice on the host network\n`,
    },
    {
      args: () => ['run', '--targets', file('empty.json', ''), '--mode', 'star', '--source-node', 'x'],
      stderr: `iperf3-monitor: --targets ${join(dir, 'empty.json')}: expected a list of {node, ip, port?, network?}\n`,
    },
  ];
  for (const c of cases) {
    test(`${c.env ? `${Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(' ')} ` : ''}iperf3-monitor ${c.args().join(' ').replaceAll(dir, '$DIR')} → exit 2`, async () => {
      const r = await runCli(c.args(), c.env);
      assert.deepEqual({ code: r.code, stderr: r.stderr, stdout: r.stdout }, { code: 2, stderr: c.stderr, stdout: '' });
    });
  }

  const booleans: { env: Record<string, string> }[] = [{ env: { IPERF3_MONITOR_EXCLUSIVE: 'yes' } }, { env: { IPERF3_MONITOR_DRY_RUN: '1' } }];
  for (const c of booleans) {
    const [name, value] = Object.entries(c.env)[0]!;
    test(`${name}=${value} is refused, not silently read as false`, async () => {
      const r = await runCli(['run', '--targets', targets, '--mode', 'star', '--source-node', 'n1', '--dry-run'], c.env);
      const flag = name.slice('IPERF3_MONITOR_'.length).toLowerCase().replaceAll('_', '-');
      assert.deepEqual(
        { code: r.code, stdout: r.stdout, stderr: r.stderr },
        { code: 2, stdout: '', stderr: `iperf3-monitor: ${name} (--${flag}) must be true or false, got "${value}"\n` },
      );
    });
  }
});

describe('environment fallbacks and flags', () => {
  test('an env var sets an option, and the flag beats it', async () => {
    const args = ['run', '--targets', targets, '--mode', 'star', '--source-node', 'n1', '--dry-run'];
    const fromEnv = await runCli(args, { IPERF3_MONITOR_PROTOCOLS: 'udp', IPERF3_MONITOR_CONCURRENCY: '0%' });
    assert.equal(fromEnv.code, 2, 'the bad env concurrency is read');
    const flagWins = await runCli([...args, '--concurrency', '2'], { IPERF3_MONITOR_PROTOCOLS: 'udp', IPERF3_MONITOR_CONCURRENCY: '0%' });
    assert.equal(flagWins.code, 0, flagWins.stderr);
    assert.match(flagWins.stdout, /n1 → n2 {2}udp\n/);
    const protocolFlag = await runCli([...args, '--protocols', 'tcp'], { IPERF3_MONITOR_PROTOCOLS: 'udp' });
    assert.doesNotMatch(protocolFlag.stdout, /udp/);
  });

  test('SOURCE_NODE_NAME (the Downward API) names the star source; --source-node beats it', async () => {
    const args = ['run', '--targets', targets, '--mode', 'star', '--dry-run'];
    assert.match((await runCli(args, { SOURCE_NODE_NAME: 'n3' })).stdout, /^ {5}1 {2}n3 → n1 {2}tcp$/m);
    assert.match((await runCli([...args, '--source-node', 'n2'], { SOURCE_NODE_NAME: 'n3' })).stdout, /^ {5}1 {2}n2 → n3 {2}tcp$/m);
  });
});

describe('--help and --dry-run', () => {
  const contractFlags = [
    'targets', 'namespace', 'all-namespaces', 'selector', 'kubeconfig', 'server-container', 'mode', 'client-command', 'source-node',
    'iperf3', 'concurrency', 'exclusive', 'deadline', 'protocols', 'duration', 'omit', 'parallel', 'udp-bitrate', 'port',
    'connect-timeout', 'busy-retries', 'pushgateway', 'job', 'push-timeout', 'push-retries', 'pushgateway-username',
    'pushgateway-password-file', 'pushgateway-token-file', 'pushgateway-ca-file', 'output', 'dry-run', 'log-level',
  ];

  test('run --help lists every flag of the contract and the env fallback, and exits 0', async () => {
    const r = await runCli(['run', '--help']);
    assert.equal(r.code, 0);
    for (const f of contractFlags) assert.match(r.stdout, new RegExp(`^ +--${f} `, 'm'), `--${f} is listed`);
    assert.match(r.stdout.replace(/\s+/g, ' '), /Every option can also be set as IPERF3_MONITOR_<OPTION> \(e\.g\. IPERF3_MONITOR_PUSHGATEWAY\); flags win\./);
    assert.match(r.stdout, /--selector .*(\n.*){0,4}\[default: "app\.kubernetes\.io\/name=iperf3-monitor,app\.kubernetes\.io\/component=server"\]/);
  });

  test('--help names the commands', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['run', 'verify', 'lab <action>', 'demo']) assert.match(r.stdout, new RegExp(`iperf3-monitor ${c} `));
  });

  test('--dry-run prints the mesh plan in rotation order and tests nothing', async () => {
    const r = await runCli(['run', '--targets', targets, '--client-command', 'ip netns exec lab-{node} iperf3', '--dry-run', '--protocols', 'tcp,udp']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        '3 servers:',
        '  n1  10.0.0.1:5201',
        '  n2  10.0.0.2:5301',
        '  n3  [fd00::3]:5201',
        '12 tests, in plan order:',
        '     1  n1 → n2  tcp',
        '     2  n2 → n3  tcp',
        '     3  n3 → n1  tcp',
        '     4  n1 → n3  tcp',
        '     5  n2 → n1  tcp',
        '     6  n3 → n2  tcp',
        '     7  n1 → n2  udp',
        '     8  n2 → n3  udp',
        '     9  n3 → n1  udp',
        '    10  n1 → n3  udp',
        '    11  n2 → n1  udp',
        '    12  n3 → n2  udp',
        '',
      ].join('\n'),
    );
  });

  test('--dry-run prints the tests the run would make: at most --max-pairs, least recently measured first', async () => {
    const budget = await runCli([
      'run',
      '--targets',
      targets,
      '--client-command',
      'ssh {node} iperf3',
      '--dry-run',
      '--max-pairs',
      '4',
      '--log-level',
      'silent',
    ]);
    assert.equal(budget.code, 0, budget.stderr);
    assert.deepEqual(budget.stdout.split('\n').slice(4), [
      '4 tests of 6 (--max-pairs), in plan order:',
      '     1  n1 → n2  tcp',
      '     2  n2 → n3  tcp',
      '     3  n3 → n1  tcp',
      '     4  n1 → n3  tcp',
      '',
    ]);
    // Earlier results in a real Pushgateway, as runs leave them: n3 → n2 never measured, the rest oldest first.
    const gateway = await startPushgateway();
    try {
      const put = async (source: string, stamps: Record<string, number>) => {
        const body = Object.entries(stamps)
          .map(([destination, at]) => `iperf_test_timestamp_seconds{destination_node="${destination}",protocol="tcp"} ${at}\n`)
          .join('');
        const res = await fetch(`${gateway.url}/metrics/job/dry/source_node/${source}`, { method: 'PUT', body });
        assert.equal(res.status, 200, await res.text());
      };
      await put('n1', { n2: 1000, n3: 2000 });
      await put('n2', { n3: 500, n1: 3000 });
      await put('n3', { n1: 1500 });
      const args = [
        'run',
        '--targets',
        targets,
        '--client-command',
        'ssh {node} iperf3',
        '--dry-run',
        '--max-pairs',
        '4',
        '--pushgateway',
        gateway.url,
        '--job',
        'dry',
      ];
      const r = await runCli([...args, '--log-level', 'silent']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.split('\n').slice(4), [
        '4 tests of 6 (--max-pairs), least recently measured first:',
        '     1  n3 → n2  tcp',
        '     2  n2 → n3  tcp',
        '     3  n1 → n2  tcp',
        '     4  n3 → n1  tcp',
        '',
      ]);
      assert.equal((await gateway.groups()).length, 3, 'a dry run writes nothing');
    } finally {
      await gateway.stop();
    }
  });

  test('--dry-run in star mode from a node without a server tests every server', async () => {
    const r = await runCli(['run', '--targets', targets, '--mode', 'star', '--source-node', 'runner', '--dry-run', '--log-level', 'silent']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      ['3 servers:', '  n1  10.0.0.1:5201', '  n2  10.0.0.2:5301', '  n3  [fd00::3]:5201', '3 tests, in plan order:', '     1  runner → n1  tcp', '     2  runner → n2  tcp', '     3  runner → n3  tcp', ''].join('\n'),
    );
  });
});

describe('a real cycle on loopback', () => {
  let a: Iperf3Server;
  let b: Iperf3Server;
  let pg: RealPushgateway;
  let loopTargets = '';
  let closedPort = 0;
  before(async () => {
    [a, b, pg] = await Promise.all([startIperf3Server(), startIperf3Server(), startPushgateway()]);
    closedPort = await freePort();
    loopTargets = file(
      'loop.yaml',
      `- {node: a, ip: 127.0.0.1, port: ${a.port}}\n- {node: b, ip: 127.0.0.1, port: ${b.port}}\n- {node: c, ip: 127.0.0.1, port: ${closedPort}}\n`,
    );
  });
  after(async () => {
    a?.stop();
    b?.stop();
    await pg?.stop();
  });

  // --busy-retries 0: a refused test is not retried with backoff (that is the scheduler's business).
  const iperfArgs = ['--duration', '1', '--omit', '0', '--connect-timeout', '1', '--busy-retries', '0'];

  test('--output json: one document with every pair, measured by real iperf3 and pushed to the real gateway', async () => {
    await wipe(pg.url);
    const r = await runCli(['run', '--targets', loopTargets, '--mode', 'star', '--source-node', 'x', '--protocols', 'tcp,udp', '--udp-bitrate', '10M', ...iperfArgs, '--output', 'json', '--pushgateway', pg.url]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { pairs: Record<string, unknown>[] };
    for (const k of ['started_at', 'duration_s', 'servers', 'summary', 'push', 'pairs']) assert.ok(k in doc, `${k} in the document`);
    assert.deepEqual(doc.servers, [
      { node: 'a', ip: '127.0.0.1', port: a.port, network: 'host' },
      { node: 'b', ip: '127.0.0.1', port: b.port, network: 'host' },
      { node: 'c', ip: '127.0.0.1', port: closedPort, network: 'host' },
    ]);
    assert.deepEqual(doc.summary, { pairs: 6, success: 4, failure: 1, skipped: 1 });
    assert.match(String(doc.started_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(typeof doc.duration_s, 'number');

    const byKey = new Map(doc.pairs.map((p) => [`${p.destination_node}/${p.protocol}`, p]));
    assert.deepEqual([...byKey.keys()].sort(), ['a/tcp', 'a/udp', 'b/tcp', 'b/udp', 'c/tcp', 'c/udp']);
    for (const p of doc.pairs) {
      for (const k of ['source_node', 'destination_node', 'protocol', 'network', 'success', 'bandwidth_mbps', 'jitter_ms', 'lost_packets', 'packets', 'retransmits', 'error', 'started_at', 'duration_s']) {
        assert.ok(k in p, `${k} in ${JSON.stringify(p)}`);
      }
      assert.equal(p.source_node, 'x');
    }
    for (const key of ['a/tcp', 'b/tcp']) {
      const p = byKey.get(key)!;
      assert.equal(p.success, true);
      assert.equal(p.error, null);
      assert.ok((p.bandwidth_mbps as number) > 10, `${key} ${p.bandwidth_mbps} Mbit/s`);
      assert.equal(typeof p.retransmits, 'number');
      assert.equal(p.jitter_ms, null);
    }
    for (const key of ['a/udp', 'b/udp']) {
      const p = byKey.get(key)!;
      assert.equal(p.success, true);
      assert.ok(Math.abs((p.bandwidth_mbps as number) - 10) < 1, `${key} ${p.bandwidth_mbps} Mbit/s at -b 10M`);
      assert.equal(typeof p.jitter_ms, 'number');
      assert.ok((p.packets as number) > 0);
      assert.equal(typeof p.lost_packets, 'number');
      assert.equal(p.retransmits, null);
    }
    for (const key of ['a/tcp', 'a/udp', 'b/tcp', 'b/udp', 'c/tcp']) {
      assert.match(String(byKey.get(key)!.started_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, key);
      assert.equal(typeof byKey.get(key)!.duration_s, 'number', key);
    }
    // The first test to c is refused; x reached a and b, so c is judged down: the next test to c is
    // skipped without spending another attempt, and says so (not a failure of the path).
    assert.deepEqual(pick(byKey.get('c/tcp')!), { success: false, bandwidth_mbps: null, error: 'refused: unable to connect to server: Connection refused' });
    assert.deepEqual(pick(byKey.get('c/udp')!), {
      success: false,
      bandwidth_mbps: null,
      error: 'skipped: destination-down: not tested: c looked down: a tcp test from x to c was refused (unable to connect to server: Connection refused), and x reached other nodes',
    });
    assert.equal(byKey.get('c/udp')!.status, 'skipped');
    assert.equal(byKey.get('c/udp')!.skip_reason, 'destination-down');
    assert.equal(byKey.get('c/udp')!.duration_s, null, 'not tried');
    assert.equal((doc.push as { errors: string[] }).errors.length, 0);

    const groups = await pg.groups();
    assert.deepEqual(
      groups.map((g) => JSON.stringify(Object.entries(g).sort())).sort(),
      [{ job: 'iperf3-monitor' }, { job: 'iperf3-monitor', source_node: 'x' }].map((g) => JSON.stringify(Object.entries(g).sort())).sort(),
    );
    const text = await pg.metrics();
    assert.match(text, /^iperf_test_success\{destination_node="c",instance="",job="iperf3-monitor",network="host",protocol="tcp",source_node="x"\} 0$/m);
    assert.match(text, /^iperf_network_bandwidth_mbps\{destination_node="a",instance="",job="iperf3-monitor",network="host",protocol="udp",source_node="x"\} \d/m);
    assert.doesNotMatch(text, /^iperf_network_bandwidth_mbps\{destination_node="c"/m, 'a failed test has no bandwidth sample');
    assert.match(text, /^iperf_run_pairs\{instance="",job="iperf3-monitor",outcome="failure"\} 1$/m);
    // Not tried is not failed: the skipped pair has no iperf_test_success, and says why in the run group.
    assert.ok(!/^iperf_test_success\{destination_node="c",[^}]*protocol="udp"/m.test(text), 'no iperf_test_success for the pair not tried');
    assert.ok(
      text.includes('iperf_test_skipped{destination_node="c",instance="",job="iperf3-monitor",network="host",protocol="udp",reason="destination-down",source_node="x"} 1\n'),
      'iperf_test_skipped for the pair not tried',
    );
  });

  test('a Pushgateway that rejects the push (400): exit 1 and the gateway\'s message in the log', async () => {
    await wipe(pg.url);
    const seeded = await fetch(`${pg.url}/metrics/job/someone-else`, { method: 'PUT', body: '# TYPE iperf_test_success counter\niperf_test_success 1\n' });
    assert.equal(seeded.status, 200);
    const only = file('only-c.json', JSON.stringify([{ node: 'c', ip: '127.0.0.1', port: closedPort }]));
    const r = await runCli(['run', '--targets', only, '--mode', 'star', '--source-node', 'x', ...iperfArgs, '--output', 'none', '--pushgateway', pg.url]);
    assert.equal(r.code, 1, r.stderr);
    const errors = logLines(r.stderr).filter((l) => l.level === 50);
    assert.deepEqual(
      errors.map((l) => l.msg),
      ['push failed'],
    );
    // The gateway reports whichever of the two inconsistent families it compares first.
    assert.match(
      String(errors[0]!.err),
      new RegExp(
        `^push \\(PUT\\) ${pg.url}/metrics/job/iperf3-monitor/source_node/x: HTTP 400: pushed metrics are invalid or inconsistent with existing metrics: ` +
          'collected metric "iperf_test_success" \\{ .* \\} is not a (COUNTER|GAUGE)$',
      ),
    );
  });

  describe('flags reach the wire', () => {
    let rec: HttpRecorder;
    before(async () => {
      rec = await startRecorder((req, res) => {
        if (req.method === 'GET') return reply(200, '{"status":"success","data":[]}', 'application/json')(req, res);
        reply(200)(req, res);
      });
    });
    after(() => rec?.close());

    const auth: { name: string; args: () => string[]; env?: Record<string, string>; authorization: string }[] = [
      {
        name: '--pushgateway-token-file sends a bearer token',
        args: () => ['--pushgateway-token-file', file('token', 'tok-from-file\n')],
        authorization: 'Bearer tok-from-file',
      },
      {
        name: '--pushgateway-username with IPERF3_MONITOR_PUSHGATEWAY_PASSWORD sends basic auth',
        args: () => ['--pushgateway-username', 'runner'],
        env: { IPERF3_MONITOR_PUSHGATEWAY_PASSWORD: 'pw:1' },
        authorization: `Basic ${Buffer.from('runner:pw:1').toString('base64')}`,
      },
    ];
    for (const c of auth) {
      test(c.name, async () => {
        rec.requests.length = 0;
        const only = file('only-c.json', JSON.stringify([{ node: 'c', ip: '127.0.0.1', port: closedPort }]));
        const r = await runCli(['run', '--targets', only, '--mode', 'star', '--source-node', 'x', ...iperfArgs, '--output', 'none', '--pushgateway', rec.url, ...c.args()], c.env);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(rec.requests.some((q) => q.method === 'PUT'));
        for (const q of rec.requests) assert.equal(q.headers.authorization, c.authorization, `${q.method} ${q.url}`);
      });
    }

    test('a gateway answering 503 with --push-retries 1: bounded retries, exit 1', async () => {
      rec.requests.length = 0;
      const saved = rec.handler;
      rec.handler = reply(503, 'maintenance');
      try {
        const only = file('only-c.json', JSON.stringify([{ node: 'c', ip: '127.0.0.1', port: closedPort }]));
        const r = await runCli(['run', '--targets', only, '--mode', 'star', '--source-node', 'x', ...iperfArgs, '--output', 'none', '--pushgateway', rec.url, '--push-retries', '1']);
        assert.equal(r.code, 1, r.stderr);
        assert.ok(rec.requests.length <= 8, `${rec.requests.length} requests`);
        assert.ok(!rec.requests.some((q) => q.method === 'PUT' && q.body === ''), 'no empty group was written');
        assert.ok(logLines(r.stderr).some((l) => l.level === 50 && String(l.err).endsWith('HTTP 503: maintenance (after 2 attempts)')), r.stderr);
      } finally {
        rec.handler = saved;
      }
    });
  });
});
