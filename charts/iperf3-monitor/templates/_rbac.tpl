{{/* Rules of the runner's listing role: read pods to discover servers (cluster-wide with runner.allNamespaces). */}}
{{- define "iperf3-monitor.rbacListRules" -}}
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list"]
{{- end }}

{{/* Rules of the runner's exec role (mesh mode only): start iperf3 in a server pod. Always namespaced. */}}
{{- define "iperf3-monitor.rbacExecRules" -}}
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["create", "get"]
{{- end }}
