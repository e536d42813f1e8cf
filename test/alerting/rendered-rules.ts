// The project's alert rules as a plain Prometheus rules file, rendered the way a user overrides them:
// `helm template` of the chart's PrometheusRule with a values file, whose `spec` is a rules file
// (`groups:`). The chart's rules are generated from alerts/iperf3-monitor.rules.yaml, so this is that file
// with the overridden thresholds and `for` durations.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { helm } from '../chart/helm.ts';

export interface RuleGroup {
  name: string;
  rules: { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** The `spec.groups` of the chart's PrometheusRule for the given `-f` files and `--set` overrides. */
export function renderRuleGroups(valuesFiles: string[], set: string[] = []): RuleGroup[] {
  const out = execFileSync(
    helm(),
    [
      'template', 'iperf3-monitor', 'charts/iperf3-monitor', '--show-only', 'templates/prometheusrule.yaml',
      '--set', 'prometheusRule.enabled=true',
      ...valuesFiles.flatMap((f) => ['-f', f]),
      ...set.flatMap((s) => ['--set', s]),
    ],
    { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } },
  );
  const doc = parse(out) as { kind: string; spec: { groups: RuleGroup[] } };
  if (doc.kind !== 'PrometheusRule') throw new Error(`expected a PrometheusRule, helm rendered ${doc.kind}`);
  return doc.spec.groups;
}

/** Writes the rendered groups as a Prometheus rules file at `path`. */
export function writeRulesFile(path: string, groups: RuleGroup[]): void {
  writeFileSync(path, stringify({ groups }, { lineWidth: 0 }));
}
