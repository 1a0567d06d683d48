{{- define "strata.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "strata.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The initial cluster: every member's name and its stable peer URL through the headless service. */}}
{{- define "strata.initialCluster" -}}
{{- $full := include "strata.fullname" . -}}
{{- $peers := list -}}
{{- range $i := until (int .Values.replicas) -}}
{{- $peers = append $peers (printf "%s-%d=http://%s-%d.%s-peer.%s.svc:%d" $full $i $full $i $full $.Release.Namespace (int $.Values.ports.peer)) -}}
{{- end -}}
{{- join "," $peers -}}
{{- end -}}
