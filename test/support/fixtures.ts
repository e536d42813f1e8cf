// Reads the captured iperf3 outputs in test/fixtures/iperf3/ (see the README there).
import { readFileSync } from 'node:fs';

export function iperf3Fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/iperf3/${name}.json`, import.meta.url), 'utf8');
}
