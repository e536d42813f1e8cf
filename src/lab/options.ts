import type { Argv } from 'yargs';
import { EGRESS_KINDS } from './spec.ts';

// Options of `lab up|down` and `demo`, apart from their handlers so that --help and `run` do not
// load the lab code.

export function labOptions<T>(parser: Argv<T>) {
  return parser
    .option('name', { type: 'string', default: 'ilab', describe: 'Lab name: prefix of its namespaces (<name>-n1…) and links' })
    .option('nodes', { type: 'number', default: 5, describe: 'Number of nodes' })
    .option('nic-mbit', { type: 'number', default: 200, describe: 'Every node NIC rate in Mbit/s (both directions)' })
    .option('slow', { type: 'string', array: true, default: ['n1>n2=50'], describe: 'Slow directed pairs, src>dst=Mbit' })
    .option('egress', {
      choices: EGRESS_KINDS,
      default: 'fifo' as const,
      describe: 'fifo: ACKs queue behind bulk data (a plain FIFO egress); isolated: ACKs get a priority class (as with fq/fq_codel)',
    })
    .option('port', { type: 'number', default: 5201, describe: 'iperf3 server port in every node' })
    .option('start-pushgateway', {
      type: 'boolean',
      default: true,
      describe: 'lab up: start a Pushgateway on a free loopback port (its URL is printed for run --pushgateway)',
    })
    .option('duration', { type: 'number', default: 2, describe: 'demo: seconds per test' });
}
