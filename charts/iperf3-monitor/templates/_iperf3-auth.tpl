{{/* Where the iperf3Auth Secret is mounted, in server pods and (star mode) the runner pod. */}}
{{- define "iperf3-monitor.iperf3AuthDir" -}}
/etc/iperf3-monitor/iperf3-auth
{{- end }}

{{/* Fails the render when iperf3Auth is enabled without the Secret that holds the keys. */}}
{{- define "iperf3-monitor.iperf3AuthCheck" -}}
{{- if and .Values.iperf3Auth.enabled (not .Values.iperf3Auth.existingSecret) }}
{{- fail "iperf3-monitor: iperf3Auth.enabled needs iperf3Auth.existingSecret: a Secret with the RSA key pair, the users file and the password (see the chart README, Authenticated servers)" }}
{{- end }}
{{- end }}

{{/* The server's extra arguments: the private key and the authorized users file (YAML list items). */}}
{{- define "iperf3-monitor.iperf3AuthServerArgs" -}}
{{- include "iperf3-monitor.iperf3AuthCheck" . -}}
{{- with .Values.iperf3Auth -}}
{{- if .enabled -}}
- "--rsa-private-key-path"
- {{ printf "%s/%s" (include "iperf3-monitor.iperf3AuthDir" $) .privateKeyKey | quote }}
- "--authorized-users-path"
- {{ printf "%s/%s" (include "iperf3-monitor.iperf3AuthDir" $) .authorizedUsersKey | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The runner's arguments for authenticated servers: user and public key (the password goes by env). */}}
{{- define "iperf3-monitor.iperf3AuthRunnerArgs" -}}
{{- with .Values.iperf3Auth -}}
{{- if .enabled -}}
- "--auth-username"
- {{ .username | quote }}
- "--auth-public-key"
- {{ printf "%s/%s" (include "iperf3-monitor.iperf3AuthDir" $) .publicKeyKey | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* IPERF3_PASSWORD from the Secret: iperf3 clients read it from their environment, never argv. */}}
{{- define "iperf3-monitor.iperf3AuthEnv" -}}
{{- if .Values.iperf3Auth.enabled -}}
- name: IPERF3_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.iperf3Auth.existingSecret }}
      key: {{ .Values.iperf3Auth.passwordKey }}
{{- end }}
{{- end }}

{{/* The Secret's volume mount (read-only). */}}
{{- define "iperf3-monitor.iperf3AuthVolumeMount" -}}
{{- if .Values.iperf3Auth.enabled -}}
- name: iperf3-auth
  mountPath: {{ include "iperf3-monitor.iperf3AuthDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/*
The Secret as a volume. Mode 0444: the containers run as one non-root user without an fsGroup, and
secret files are owned by root; nothing else runs in these containers.
*/}}
{{- define "iperf3-monitor.iperf3AuthVolume" -}}
{{- if .Values.iperf3Auth.enabled -}}
- name: iperf3-auth
  secret:
    secretName: {{ .Values.iperf3Auth.existingSecret }}
    defaultMode: 292 # 0444
{{- end }}
{{- end }}

{{/* Whether the runner pod itself starts iperf3 clients (star mode) and so needs the credentials. */}}
{{- define "iperf3-monitor.iperf3AuthInRunner" -}}
{{- if and .Values.iperf3Auth.enabled (eq .Values.runner.mode "star") }}true{{ end }}
{{- end }}
