{{/* RBAC rules of the runner: read pods to discover servers; exec into them only in mesh mode. */}}
{{- define "iperf3-monitor.rbacRules" -}}
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list"]
{{- if eq .Values.runner.mode "mesh" }}
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["create", "get"]
{{- end }}
{{- end }}
