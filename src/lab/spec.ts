// The local lab's layout, computed without touching the system: N network-namespace "nodes" on one
// bridge, each with a NIC of known rate (htb on both sides of its veth) and per-destination classes,
// so every directed pair has a known capacity and at least one pair is deliberately slow.

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
}

export interface LabOptions {
  name: string;
  nodes: number;
  nicMbit: number;
  /** "src>dst=Mbit" entries; the default lab slows n1>n2. */
  slow: string[];
  port: number;
  /** Third octet of 10.213.X.0/24; derived from the name when absent. */
  subnetOctet?: number;
}

export function labSpec(o: LabOptions): LabSpec {
  if (!/^[a-z][a-z0-9]{0,5}$/.test(o.name)) throw new Error(`lab name must be 1–6 lowercase letters/digits starting with a letter, got ${JSON.stringify(o.name)}`);
  if (!Number.isInteger(o.nodes) || o.nodes < 2 || o.nodes > 60) throw new Error(`--nodes must be an integer from 2 to 60, got ${o.nodes}`);
  const octet = o.subnetOctet ?? 10 + (hash(o.name) % 240);
  const subnet = `10.213.${octet}`;
  const nodes: LabNode[] = Array.from({ length: o.nodes }, (_, i) => ({
    name: `n${i + 1}`,
    netns: `${o.name}-n${i + 1}`,
    ip: `${subnet}.${i + 1}`,
    hostVeth: `${o.name}n${i + 1}h`,
  }));
  const slowPairs: Record<string, number> = {};
  for (const s of o.slow) {
    const m = /^(n\d+)>(n\d+)=(\d+(?:\.\d+)?)$/.exec(s);
    if (!m || !nodes.some((n) => n.name === m[1]) || !nodes.some((n) => n.name === m[2]) || m[1] === m[2]) {
      throw new Error(`--slow must look like n1>n2=50 with two different lab nodes, got ${JSON.stringify(s)}`);
    }
    slowPairs[`${m[1]}>${m[2]}`] = Math.min(Number(m[3]), o.nicMbit);
  }
  return { name: o.name, bridge: `${o.name}-br`, subnet, nicMbit: o.nicMbit, nodes, slowPairs, port: o.port };
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
  spec.nodes.forEach((n) => {
    const inNs = (...a: string[]) => ['ip', 'netns', 'exec', n.netns, ...a];
    cmds.push(
      ['ip', 'netns', 'add', n.netns],
      ['ip', 'link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.netns],
      ['ip', 'link', 'set', n.hostVeth, 'master', spec.bridge, 'up'],
      inNs('ip', 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0'),
      inNs('ip', 'link', 'set', 'eth0', 'up'),
      inNs('ip', 'link', 'set', 'lo', 'up'),
      // Sending side: the NIC rate, split into one class per destination.
      inNs('tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'htb', 'default', '2'),
      inNs('tc', 'class', 'add', 'dev', 'eth0', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', nic, 'ceil', nic),
      inNs('tc', 'class', 'add', 'dev', 'eth0', 'parent', '1:1', 'classid', '1:2', 'htb', 'rate', '1mbit', 'ceil', nic),
      // Receiving side: the host end of the veth sends into the node, at the NIC rate.
      ['tc', 'qdisc', 'add', 'dev', n.hostVeth, 'root', 'handle', '1:', 'htb', 'default', '1'],
      ['tc', 'class', 'add', 'dev', n.hostVeth, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', nic, 'ceil', nic],
    );
    spec.nodes.forEach((d, j) => {
      if (d === n) return;
      const rate = `${pairCapacity(spec, n.name, d.name)}mbit`;
      const cls = `1:${(j + 10).toString(16)}`;
      cmds.push(
        inNs('tc', 'class', 'add', 'dev', 'eth0', 'parent', '1:1', 'classid', cls, 'htb', 'rate', rate, 'ceil', rate),
        inNs('tc', 'filter', 'add', 'dev', 'eth0', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', `${d.ip}/32`, 'flowid', cls),
      );
    });
  });
  return cmds;
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}
