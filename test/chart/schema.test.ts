// values.schema.json rejects misspelt keys and bad values at install time, with helm's exact message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { templateError } from './helm.ts';

const rejections: [string, string[], string][] = [
  ['a misspelt runner key', ['runner.moed=star'], "- at '/runner': additional properties 'moed' not allowed"],
  ['an unknown top-level key', ['pushgatway.enabled=true'], "- at '': additional properties 'pushgatway' not allowed"],
  ['an unknown mode', ['runner.mode=ring'], "- at '/runner/mode': value must be one of 'mesh', 'star'"],
  ['an unknown protocol', ['runner.protocols={tcp,sctp}'], "- at '/runner/protocols/1': value must be one of 'tcp', 'udp'"],
  ['a port out of range', ['server.port=70000'], "- at '/server/port': maximum: got 70,000, want 65,535"],
  ['a concurrency that is neither a count, a share nor auto', ['runner.concurrency=lots'], "- at '/runner/concurrency': 'lots' does not match pattern"],
  ['a Pushgateway URL without a scheme', ['pushgateway.url=pushgateway:9091'], "- at '/pushgateway/url': 'pushgateway:9091' does not match pattern"],
  ['a job name that could inject PromQL', ['pushgateway.job=a"b'], "- at '/pushgateway/job': 'a\"b' does not match pattern"],
  ['a threshold ratio of 1 or more', ['prometheusRule.thresholds.degradedRatio=1'], "- at '/prometheusRule/thresholds/degradedRatio': exclusiveMaximum: got 1, want 1"],
  ['a threshold that is not a number', ['prometheusRule.thresholds.udpJitterMs=ten'], "- at '/prometheusRule/thresholds/udpJitterMs': 'ten' does not match pattern"],
  ['a for duration that is not a PromQL duration', ['prometheusRule.for.failing=ten minutes'], "- at '/prometheusRule/for/failing': 'ten minutes' does not match pattern"],
  ['an alert name that does not exist', ['prometheusRule.disabledAlerts={Nope}'], "- at '/prometheusRule/disabledAlerts/0': value must be one of"],
  ['a typo in a threshold name', ['prometheusRule.thresholds.bandwidthLow=5'], "- at '/prometheusRule/thresholds': additional properties 'bandwidthLow' not allowed"],
];

for (const [name, set, message] of rejections) {
  test(`the schema rejects ${name}`, () => {
    const err = templateError({ set });
    assert.ok(err.includes("values don't meet the specifications of the schema(s)"), err);
    assert.ok(err.includes(message), `expected ${JSON.stringify(message)} in:\n${err}`);
  });
}
