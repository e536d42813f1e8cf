// A free TCP port on 127.0.0.1, for real servers (iperf3, Pushgateway) that cannot listen on port 0
// and report it: the lab's own function, so there is one.
export { freePort } from '../../src/lab/free-port.ts';
