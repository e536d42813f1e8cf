{{/* Chart name, shortened to the 63 characters Kubernetes allows in a label. */}}
{{- define "iperf3-monitor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of every object: release name, plus the chart name unless the release already has it. */}}
{{- define "iperf3-monitor.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of the CronJob, also used in the NOTES' manual-run command. */}}
{{- define "iperf3-monitor.runnerName" -}}
{{- include "iperf3-monitor.fullname" . | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/* Name of the server DaemonSet. */}}
{{- define "iperf3-monitor.serverName" -}}
{{- printf "%s-server" (include "iperf3-monitor.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the bundled Pushgateway's Deployment, Service and PVC. */}}
{{- define "iperf3-monitor.pushgatewayName" -}}
{{- printf "%s-pushgateway" (include "iperf3-monitor.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "iperf3-monitor.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "iperf3-monitor.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select this release's pods; a component label is added per workload. */}}
{{- define "iperf3-monitor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "iperf3-monitor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Name of the pod-network server DaemonSet (server.podNetwork.enabled). */}}
{{- define "iperf3-monitor.podNetworkServerName" -}}
{{- printf "%s-server-pod" (include "iperf3-monitor.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The runner's label selector for server pods (the contract's default plus the release); with
server.podNetwork.enabled it selects the pod-network servers (component server-pod) too.
*/}}
{{- define "iperf3-monitor.serverSelector" -}}
{{- if .Values.runner.serverSelector }}
{{- .Values.runner.serverSelector }}
{{- else if .Values.server.podNetwork.enabled }}
{{- printf "app.kubernetes.io/name=%s,app.kubernetes.io/instance=%s,app.kubernetes.io/component in (server,server-pod)" (include "iperf3-monitor.name" .) .Release.Name }}
{{- else }}
{{- printf "app.kubernetes.io/name=%s,app.kubernetes.io/instance=%s,app.kubernetes.io/component=server" (include "iperf3-monitor.name" .) .Release.Name }}
{{- end }}
{{- end }}

{{/* ServiceAccount the runner uses: the chart's own, or an existing one when serviceAccount.create=false. */}}
{{- define "iperf3-monitor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "iperf3-monitor.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Namespace of the server DaemonSet (and its NetworkPolicy): server.namespace, or the release namespace. */}}
{{- define "iperf3-monitor.serverNamespace" -}}
{{- default .Release.Namespace .Values.server.namespace }}
{{- end }}

{{/* Namespace the runner discovers server pods in (and where its Role lives): runner.namespace, or the servers'. */}}
{{- define "iperf3-monitor.discoveryNamespace" -}}
{{- default (include "iperf3-monitor.serverNamespace" .) .Values.runner.namespace }}
{{- end }}

{{/*
Namespaces of the pods/exec Roles (mesh mode), as a JSON list: rbac.execNamespaces, or the discovery
namespace. Exec is never cluster-wide, even when listing is (runner.allNamespaces).
*/}}
{{- define "iperf3-monitor.execNamespaces" -}}
{{- if and .Values.rbac.execNamespaces (not .Values.runner.allNamespaces) }}
{{- fail "iperf3-monitor: rbac.execNamespaces is for runner.allNamespaces=true; without it the runner execs only in the discovery namespace (runner.namespace)" }}
{{- end }}
{{- default (list (include "iperf3-monitor.discoveryNamespace" .)) .Values.rbac.execNamespaces | uniq | toJson }}
{{- end }}

{{/*
Peers that stand for the runner pod in a NetworkPolicy: its pod labels (in the release namespace), or,
for a host-network runner (which has no pod identity a policy can match), the node CIDRs given in
networkPolicy.runnerNodeCIDRs. `from` is the namespace of the policy.
*/}}
{{- define "iperf3-monitor.runnerPeers" -}}
{{- $ := index . 0 }}
{{- $from := index . 1 }}
{{- if $.Values.runner.hostNetwork }}
{{- if not $.Values.networkPolicy.runnerNodeCIDRs }}
{{- fail "iperf3-monitor: networkPolicy.enabled with runner.hostNetwork=true: a host-network runner has no pod labels a NetworkPolicy can match, so set networkPolicy.runnerNodeCIDRs to the address ranges of your nodes (e.g. [10.0.0.0/24]), or set networkPolicy.enabled=false" }}
{{- end }}
{{- range $.Values.networkPolicy.runnerNodeCIDRs }}
- ipBlock:
    cidr: {{ . }}
{{- end }}
{{- else }}
- podSelector:
    matchLabels:
      {{- include "iperf3-monitor.selectorLabels" $ | nindent 6 }}
      app.kubernetes.io/component: runner
  {{- if ne $from $.Release.Namespace }}
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ $.Release.Namespace }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Image reference shared by runner and server: digest wins over tag, tag defaults to appVersion. */}}
{{- define "iperf3-monitor.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Image of the servers: server.image when its repository is set (a server-only image), else the chart's image. */}}
{{- define "iperf3-monitor.serverImage" -}}
{{- with .Values.server.image }}
{{- if not .repository }}
{{- include "iperf3-monitor.image" $ }}
{{- else if .digest }}
{{- printf "%s@%s" .repository .digest }}
{{- else }}
{{- printf "%s:%s" .repository (default $.Chart.AppVersion .tag) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Pushgateway URL the runner pushes to: the bundled one when enabled, else pushgateway.url. */}}
{{- define "iperf3-monitor.pushgatewayUrl" -}}
{{- if .Values.pushgateway.enabled }}
{{- printf "http://%s.%s.svc:%d" (include "iperf3-monitor.pushgatewayName" .) .Release.Namespace (int .Values.pushgateway.service.port) }}
{{- else }}
{{- required "iperf3-monitor: set pushgateway.url to an existing Pushgateway, or pushgateway.enabled=true to deploy one" .Values.pushgateway.url }}
{{- end }}
{{- end }}

{{/*
Seconds between two scheduled runs, from runner.intervalSeconds or from a simple schedule: every N
minutes or hours (a step in the minute or hour field), every minute, hourly, daily, and the @ macros.
*/}}
{{- define "iperf3-monitor.intervalSeconds" -}}
{{- $s := .Values.runner.schedule | trim }}
{{- $f := splitList " " (regexReplaceAll "\\s+" $s " ") }}
{{- if .Values.runner.intervalSeconds }}
{{- .Values.runner.intervalSeconds }}
{{- else if eq $s "@hourly" }}3600
{{- else if or (eq $s "@daily") (eq $s "@midnight") }}86400
{{- else if regexMatch "^\\*/[0-9]+ \\* \\* \\* \\*$" (join " " $f) }}
{{- mul (trimPrefix "*/" (index $f 0) | int) 60 }}
{{- else if eq (join " " $f) "* * * * *" }}60
{{- else if regexMatch "^[0-9]+ \\* \\* \\* \\*$" (join " " $f) }}3600
{{- else if regexMatch "^[0-9]+ \\*/[0-9]+ \\* \\* \\*$" (join " " $f) }}
{{- mul (trimPrefix "*/" (index $f 1) | int) 3600 }}
{{- else if regexMatch "^[0-9]+ [0-9]+ \\* \\* \\*$" (join " " $f) }}86400
{{- else }}
{{- fail (printf "iperf3-monitor: cannot derive the interval of runner.schedule %q; set runner.intervalSeconds" $s) }}
{{- end }}
{{- end }}

{{/* Job deadline: runner.activeDeadlineSeconds, or 80% of the interval; always shorter than the interval. */}}
{{- define "iperf3-monitor.activeDeadlineSeconds" -}}
{{- $interval := include "iperf3-monitor.intervalSeconds" . | int }}
{{- $deadline := .Values.runner.activeDeadlineSeconds | default (div (mul $interval 4) 5) | int }}
{{- if ge $deadline $interval }}
{{- fail (printf "iperf3-monitor: runner.activeDeadlineSeconds (%d) must be shorter than the schedule interval (%ds), or runs would overlap" $deadline $interval) }}
{{- end }}
{{- $deadline }}
{{- end }}

{{/* The runner's --deadline: the Job deadline less a margin to push results before the Job is killed. */}}
{{- define "iperf3-monitor.runnerDeadline" -}}
{{- $push := .Values.runner.pushDeadlineSeconds | int }}
{{- if lt (.Values.runner.deadlineMarginSeconds | int) (add $push 5) }}
{{- fail (printf "iperf3-monitor: runner.deadlineMarginSeconds (%d) must be at least runner.pushDeadlineSeconds (%d) + 5, or the Job could be killed mid-push" (.Values.runner.deadlineMarginSeconds | int) $push) }}
{{- end }}
{{- if lt (.Values.runner.terminationGracePeriodSeconds | int) (add $push 5) }}
{{- fail (printf "iperf3-monitor: runner.terminationGracePeriodSeconds (%d) must be at least runner.pushDeadlineSeconds (%d) + 5, or SIGKILL could land mid-push" (.Values.runner.terminationGracePeriodSeconds | int) $push) }}
{{- end }}
{{- $d := sub (include "iperf3-monitor.activeDeadlineSeconds" . | int) (.Values.runner.deadlineMarginSeconds | int) }}
{{- if le $d 0 }}
{{- fail (printf "iperf3-monitor: runner.deadlineMarginSeconds (%d) leaves no time for tests within the Job deadline (%ss)" (.Values.runner.deadlineMarginSeconds | int) (include "iperf3-monitor.activeDeadlineSeconds" .)) }}
{{- end }}
{{- $d }}
{{- end }}

{{/* Staleness window of the stale-results alerts: the threshold value, or three schedule intervals. */}}
{{- define "iperf3-monitor.staleSeconds" -}}
{{- .Values.prometheusRule.thresholds.staleSeconds | default (mul 3 (include "iperf3-monitor.intervalSeconds" . | int)) }}
{{- end }}

{{/* runner.udpBitrate in Mbit/s (iperf3's rate suffixes are powers of 1000): the rate UDP goodput is judged against. */}}
{{- define "iperf3-monitor.udpOfferedMbps" -}}
{{- $rate := .Values.runner.udpBitrate | toString | upper }}
{{- $m := regexFindAll "^([0-9]+(?:\\.[0-9]+)?)([KMGT]?)$" $rate -1 }}
{{- if not $m }}
{{- fail (printf "iperf3-monitor: runner.udpBitrate %q is not a rate such as 100M, 1G or 500K" $rate) }}
{{- end }}
{{- $num := regexReplaceAll "[KMGT]$" $rate "" | float64 }}
{{- $unit := dict "" 0.000001 "K" 0.001 "M" 1.0 "G" 1000.0 "T" 1000000.0 }}
{{- printf "%g" (mulf $num (get $unit (regexReplaceAll "^[0-9.]+" $rate ""))) }}
{{- end }}

{{/* Name of the run Lease that makes runs exclusive (manual Jobs bypass concurrencyPolicy: Forbid). */}}
{{- define "iperf3-monitor.leaseName" -}}
{{- printf "%s-run" (include "iperf3-monitor.runnerName" .) }}
{{- end }}
