{{/* The runner's command line (`iperf3-monitor run ...`), one YAML list item per argument. */}}
{{- define "iperf3-monitor.runnerArgs" -}}
{{- $r := .Values.runner }}
{{- $auth := .Values.pushgateway.auth }}
{{- if and (or $auth.passwordKey $auth.tokenKey $auth.caKey) (not $auth.existingSecret) }}
{{- fail "iperf3-monitor: pushgateway.auth keys name entries of a Secret: set pushgateway.auth.existingSecret" }}
{{- end }}
{{- if and $auth.passwordKey (not $auth.username) }}
{{- fail "iperf3-monitor: pushgateway.auth.passwordKey needs pushgateway.auth.username" }}
{{- end }}
{{- $args := list "run"
  "--mode" $r.mode
  "--selector" (include "iperf3-monitor.serverSelector" .)
  "--server-container" "iperf3"
  "--port" (toString .Values.server.port)
  "--concurrency" (toString $r.concurrency)
  "--protocols" (join "," $r.protocols)
  "--duration" (toString $r.duration)
  "--omit" (toString $r.omit)
  "--parallel" (toString $r.parallel)
  "--udp-bitrate" (toString $r.udpBitrate)
  "--connect-timeout" (toString $r.connectTimeout)
  "--busy-retries" (toString $r.busyRetries)
  "--max-pairs" (toString $r.maxPairs)
  "--max-result-age" (toString $r.maxResultAgeSeconds)
  "--deadline" (include "iperf3-monitor.runnerDeadline" .)
  "--run-interval" (include "iperf3-monitor.intervalSeconds" .)
  "--pushgateway" (include "iperf3-monitor.pushgatewayUrl" .)
  "--job" .Values.pushgateway.job
  "--push-timeout" (toString .Values.pushgateway.pushTimeout)
  "--push-retries" (toString .Values.pushgateway.pushRetries)
  "--push-deadline" (toString $r.pushDeadlineSeconds)
  "--lease" (include "iperf3-monitor.leaseName" .)
  "--lease-namespace" .Release.Namespace
  "--lease-wait" (toString $r.leaseWaitSeconds)
  "--output" $r.output
  "--log-level" $r.logLevel }}
{{- if $r.allNamespaces }}
{{- $args = append $args "--all-namespaces" }}
{{- else }}
{{- $args = concat $args (list "--namespace" (include "iperf3-monitor.discoveryNamespace" .)) }}
{{- end }}
{{- if $r.nodeZones }}
{{- $args = append $args "--node-zones" }}
{{- end }}
{{- if and (or (eq $r.pairSeries "remote-write") (eq $r.pairSeries "both")) (not $r.remoteWriteUrl) }}
{{- fail (printf "iperf3-monitor: runner.pairSeries %s needs runner.remoteWriteUrl (the receiver that keeps the per-pair series)" $r.pairSeries) }}
{{- end }}
{{- with $r.remoteWriteUrl }}
{{- $args = concat $args (list "--remote-write" .) }}
{{- end }}
{{- with $r.pairSeries }}
{{- $args = concat $args (list "--pair-series" .) }}
{{- end }}
{{- with $r.stateUrl }}
{{- $args = concat $args (list "--state-url" .) }}
{{- end }}
{{- if $r.exclusive }}
{{- $args = append $args "--exclusive" }}
{{- end }}
{{- with $auth.username }}
{{- $args = concat $args (list "--pushgateway-username" .) }}
{{- end }}
{{- with $auth.passwordKey }}
{{- $args = concat $args (list "--pushgateway-password-file" (printf "/etc/iperf3-monitor/pushgateway/%s" .)) }}
{{- end }}
{{- with $auth.tokenKey }}
{{- $args = concat $args (list "--pushgateway-token-file" (printf "/etc/iperf3-monitor/pushgateway/%s" .)) }}
{{- end }}
{{- with $auth.caKey }}
{{- $args = concat $args (list "--pushgateway-ca-file" (printf "/etc/iperf3-monitor/pushgateway/%s" .)) }}
{{- end }}
{{- $args = concat $args (include "iperf3-monitor.iperf3AuthRunnerArgs" . | fromYamlArray) }}
{{- $args = concat $args $r.extraArgs }}
{{- range $args }}
- {{ . | quote }}
{{- end }}
{{- end }}
