// NOTES.txt tells the operator how to run a cycle by hand and what the chosen options demand of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notes, scenario } from './helm.ts';

test('NOTES print the kubectl create job --from=cronjob command for a manual run', () => {
  const text = notes();
  assert.match(text, /kubectl -n netcheck create job --from=cronjob\/mon-iperf3-monitor mon-iperf3-monitor-manual-\$\(date \+%s\)/);
  assert.match(text, /Job deadline 240s, runner --deadline 210s/);
});

test('NOTES name the namespace label that hostNetwork servers need', () => {
  assert.match(notes(), /kubectl label namespace netcheck pod-security\.kubernetes\.io\/enforce=privileged/);
  assert.doesNotMatch(notes({ files: [scenario('pod-network')] }), /pod-security\.kubernetes\.io/);
});

test('NOTES say NetworkPolicy cannot guard hostNetwork servers when both are chosen', () => {
  assert.match(notes({ set: ['networkPolicy.enabled=true'] }), /NetworkPolicy does not apply to host-network pods/);
  assert.doesNotMatch(notes(), /NetworkPolicy does not apply/);
});

test('NOTES remind to scrape an external Pushgateway with honor_labels and name the bundled one', () => {
  assert.match(notes(), /honor_labels: true/);
  const bundled = notes({ files: [scenario('bundled-pushgateway')] });
  assert.match(bundled, /pushes to\nhttp:\/\/mon-iperf3-monitor-pushgateway\.netcheck\.svc:9091 as job "iperf3-monitor"/);
  assert.doesNotMatch(bundled, /honor_labels/);
});

test('NOTES list the permissions an existing ServiceAccount needs when rbac is off', () => {
  assert.match(notes({ files: [scenario('rbac-off')] }), /ServiceAccount "network-tester" needs pods get\/list in\s+namespace netcheck and pods\/exec create\/get in namespace netcheck\./);
  assert.match(notes({ files: [scenario('rbac-off')], set: ['runner.allNamespaces=true'] }), /needs pods get\/list in\s+every namespace and pods\/exec create\/get in namespace netcheck\./);
  assert.match(notes({ files: [scenario('rbac-off')], set: ['runner.mode=star'] }), /needs pods get\/list in\s+namespace netcheck\.$/m);
});

test('NOTES say when the mesh exec Role also reaches the bundled Pushgateway, and not once the servers have their own namespace', () => {
  assert.match(notes({ files: [scenario('bundled-pushgateway')] }), /the runner may exec into every pod of namespace netcheck, the bundled Pushgateway included\. Set server\.namespace/);
  assert.doesNotMatch(notes({ files: [scenario('separate-server-namespace')] }), /may exec into every pod/);
  assert.doesNotMatch(notes({ files: [scenario('star-mode')], set: ['pushgateway.enabled=true'] }), /may exec into every pod/);
});
