// The local lab's layout, computed without touching the system: N network-namespace "nodes" on one
// bridge, each with a NIC of known rate (htb on both sides of its veth) and per-destination classes,
// so every directed pair has a known capacity and at least one pair is deliberately slow.
//
// Two kinds of egress (`egress`), the two worlds a full-duplex cycle meets in real fleets:
// - 'fifo': every shaped queue is htb's default leaf, a plain FIFO (txqueuelen deep). The ACKs of a
//   test that a node receives wait behind the bulk data of the test it sends (in the lab: behind the
//   data coming down the node's own link), hundreds of milliseconds when the FIFO is full.
// - 'isolated': on both sides of every NIC, small TCP packets (ACKs: IP length < 128 bytes) go to an
//   htb class of their own, served first, outside the bulk queue — what fq/fq_codel hosts and switch
//   ports with a priority queue do for reverse traffic. (This kernel has no fq_codel; htb + u32 does.)

export interface LabNode {
  name: string;
  netns: string;
  ip: string;
  /** veth end inside the namespace is always eth0; this is the host end. */
  hostVeth: string;
}

export interface LabSpec {
  name: string;
  bridge: string;
  /** First three octets of the lab's /24. */
  subnet: string;
  nicMbit: number;
  nodes: LabNode[];
  /** Shaped capacity of each directed pair in Mbit/s, keyed "src>dst" (absent: the NIC rate). */
  slowPairs: Record<string, number>;
  port: number;
  egress: Egress;
}

export type Egress = (typeof EGRESS_KINDS)[number];
export const EGRESS_KINDS = ['fifo', 'isolated'] as const;

export interface LabOptions {
  name: string;
  nodes: number;
  nicMbit: number;
  /** "src>dst=Mbit" entries; the default lab slows n1>n2. */
  slow: string[];
  port: number;
  /** How the shaped queues treat small reverse packets (default 'fifo'). */
  egress?: Egress;
}

export function labSpec(options: LabOptions): LabSpec {
  if (!/^[a-z][a-z0-9]{0,5}$/.test(options.name))
    throw new Error(`lab name must be 1–6 lowercase letters/digits starting with a letter, got ${JSON.stringify(options.name)}`);
  if (!Number.isInteger(options.nodes) || options.nodes < 2 || options.nodes > 60)
    throw new Error(`--nodes must be an integer from 2 to 60, got ${options.nodes}`);
  // The third octet of the lab's 10.213.X.0/24 comes from its name, so that two labs rarely share a subnet.
  const octet = 10 + (hash(options.name) % 240);
  const subnet = `10.213.${octet}`;
  const nodes: LabNode[] = Array.from({ length: options.nodes }, (_, position) => ({
    name: `n${position + 1}`,
    netns: `${options.name}-n${position + 1}`,
    ip: `${subnet}.${position + 1}`,
    hostVeth: `${options.name}n${position + 1}h`,
  }));
  const slowPairs: Record<string, number> = {};
  for (const entry of options.slow) {
    const match = /^(n\d+)>(n\d+)=(\d+(?:\.\d+)?)$/.exec(entry);
    if (!match || !nodes.some((node) => node.name === match[1]) || !nodes.some((node) => node.name === match[2]) || match[1] === match[2]) {
      throw new Error(`--slow must look like n1>n2=50 with two different lab nodes, got ${JSON.stringify(entry)}`);
    }
    slowPairs[`${match[1]}>${match[2]}`] = Math.min(Number(match[3]), options.nicMbit);
  }
  const egress = options.egress ?? 'fifo';
  if (!EGRESS_KINDS.includes(egress)) throw new Error(`--egress must be one of ${EGRESS_KINDS.join(', ')}, got ${JSON.stringify(egress)}`);
  return {
    name: options.name,
    bridge: `${options.name}-br`,
    subnet,
    nicMbit: options.nicMbit,
    nodes,
    slowPairs,
    port: options.port,
    egress,
  };
}

/** The shaped rate of a directed pair, Mbit/s: what a perfect test would read (TCP gets ~95 % of it). */
export function pairCapacity(spec: LabSpec, src: string, dst: string): number {
  return spec.slowPairs[`${src}>${dst}`] ?? spec.nicMbit;
}

/** The commands that build the lab, in order (each an argv). */
export function setupCommands(spec: LabSpec): string[][] {
  const cmds: string[][] = [
    ['ip', 'link', 'add', spec.bridge, 'type', 'bridge'],
    ['ip', 'addr', 'add', `${spec.subnet}.254/24`, 'dev', spec.bridge],
    ['ip', 'link', 'set', spec.bridge, 'up'],
  ];
  const nic = `${spec.nicMbit}mbit`;
  spec.nodes.forEach((node) => {
    const inNs = (...args: string[]) => ['ip', 'netns', 'exec', node.netns, ...args];
    cmds.push(
      ['ip', 'netns', 'add', node.netns],
      ['ip', 'link', 'add', node.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns],
      ['ip', 'link', 'set', node.hostVeth, 'master', spec.bridge, 'up'],
      inNs('ip', 'addr', 'add', `${node.ip}/24`, 'dev', 'eth0'),
      inNs('ip', 'link', 'set', 'eth0', 'up'),
      inNs('ip', 'link', 'set', 'lo', 'up'),
      // Sending side: the NIC rate, split into one class per destination.
      inNs('tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'htb', 'default', '2'),
      inNs('tc', 'class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', nic, 'ceil', nic),
      inNs('tc', 'class', 'add', 'dev', 'eth0', 'parent', '1:1', 'classid', '1:2', 'htb', 'rate', '1mbit', 'ceil', nic),
      // Receiving side: the host end of the veth sends into the node, at the NIC rate.
      ['tc', 'qdisc', 'add', 'dev', node.hostVeth, 'root', 'handle', '1:', 'htb', 'default', '1'],
      ['tc', 'class', 'add', 'dev', node.hostVeth, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', nic, 'ceil', nic],
    );
    if (spec.egress === 'isolated') {
      cmds.push(...ackClass(inNs('tc'), 'eth0'), ...ackClass(['tc'], node.hostVeth));
    }
    spec.nodes.forEach((destination, position) => {
      if (destination === node) return;
      const rate = `${pairCapacity(spec, node.name, destination.name)}mbit`;
      const cls = `1:${(position + 10).toString(16)}`;
      cmds.push(
        inNs('tc', 'class', 'add', 'dev', 'eth0', 'parent', '1:1', 'classid', cls, 'htb', 'rate', rate, 'ceil', rate),
        inNs(
          'tc',
          'filter',
          'add',
          'dev',
          'eth0',
          'parent',
          '1:',
          'protocol',
          'ip',
          'prio',
          '1',
          'u32',
          'match',
          'ip',
          'dst',
          `${destination.ip}/32`,
          'flowid',
          cls,
        ),
      );
    });
  });
  return cmds;
}

/** Rate of the ACK class: far above what the ACKs of one NIC-rate TCP test need, so it never queues. */
const ACK_CLASS_MBIT = 20;

/**
 * A root-level htb class (1:5, priority 0, beside the shaped bulk classes) for small TCP packets, and
 * the u32 filter that sends them there ahead of every other filter: IP protocol 6, total length < 128
 * bytes (an ACK with timestamps and SACK blocks is at most 92). Outside 1:1, so ACKs take nothing from
 * the shaped rate the tests measure.
 */
function ackClass(tc: string[], dev: string): string[][] {
  const rate = `${ACK_CLASS_MBIT}mbit`;
  return [
    [...tc, 'class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:5', 'htb', 'rate', rate, 'ceil', rate, 'prio', '0'],
    [
      ...tc,
      'filter',
      'add',
      'dev',
      dev,
      'parent',
      '1:',
      'protocol',
      'ip',
      'prio',
      '0',
      'u32',
      'match',
      'ip',
      'protocol',
      '6',
      '0xff',
      'match',
      'u16',
      '0x0000',
      '0xff80',
      'at',
      '2',
      'flowid',
      '1:5',
    ],
  ];
}

function hash(text: string): number {
  let sum = 0;
  for (const char of text) sum = (sum * 31 + char.charCodeAt(0)) >>> 0;
  return sum;
}
