{{/*
The server DaemonSet: `name`, its pods' `component` label (its selector) and `hostNetwork` vary, everything
else (image, arguments, port, probes, iperf3Auth, resources, scheduling) is the same for the host-network
servers (daemonset.yaml) and the pod-network ones (daemonset-pod-network.yaml, server.podNetwork.enabled).
*/}}
{{- define "iperf3-monitor.serverDaemonSet" -}}
{{- $root := .root }}
{{- $component := .component }}
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ .name }}
  namespace: {{ include "iperf3-monitor.serverNamespace" $root }}
  labels:
    {{- include "iperf3-monitor.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $component }}
spec:
  selector:
    matchLabels:
      {{- include "iperf3-monitor.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ $component }}
  {{- with $root.Values.server.updateStrategy }}
  updateStrategy:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  template:
    metadata:
      labels:
        {{- include "iperf3-monitor.selectorLabels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ $component }}
        {{- with $root.Values.server.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $root.Values.server.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      # The server needs no Kubernetes API; mesh-mode clients are started in it through pods/exec.
      automountServiceAccountToken: false
      enableServiceLinks: false
      {{- if .hostNetwork }}
      hostNetwork: true
      dnsPolicy: ClusterFirstWithHostNet
      {{- end }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.server.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.server.podSecurityContext | nindent 8 }}
      containers:
        - name: iperf3
          image: {{ include "iperf3-monitor.serverImage" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          command:
            - iperf3
          args:
            - "-s"
            - "-p"
            - {{ $root.Values.server.port | quote }}
            {{- if $root.Values.server.rcvTimeoutMs }}
            - "--rcv-timeout"
            - {{ $root.Values.server.rcvTimeoutMs | quote }}
            {{- end }}
            {{- if $root.Values.server.idleTimeoutSeconds }}
            - "--idle-timeout"
            - {{ $root.Values.server.idleTimeoutSeconds | quote }}
            {{- end }}
            {{- range $root.Values.server.extraArgs }}
            - {{ . | quote }}
            {{- end }}
            {{- with include "iperf3-monitor.iperf3AuthServerArgs" $root }}{{ . | nindent 12 }}{{ end }}
          {{- with include "iperf3-monitor.iperf3AuthEnv" $root }}
          # Mesh-mode clients started in this container through pods/exec read it.
          env:
            {{- . | nindent 12 }}
          {{- end }}
          ports:
            - name: iperf3
              containerPort: {{ $root.Values.server.port }}
              protocol: TCP
            - name: iperf3-udp
              containerPort: {{ $root.Values.server.port }}
              protocol: UDP
          {{- with $root.Values.server.livenessProbe }}
          livenessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $root.Values.server.readinessProbe }}
          readinessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          securityContext:
            {{- toYaml $root.Values.server.securityContext | nindent 12 }}
          resources:
            {{- toYaml $root.Values.server.resources | nindent 12 }}
          volumeMounts:
            # iperf3 keeps its send buffer in a temporary file.
            - name: tmp
              mountPath: /tmp
            {{- with include "iperf3-monitor.iperf3AuthVolumeMount" $root }}{{ . | nindent 12 }}{{ end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        {{- with include "iperf3-monitor.iperf3AuthVolume" $root }}{{ . | nindent 8 }}{{ end }}
      {{- with $root.Values.server.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.server.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.server.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
