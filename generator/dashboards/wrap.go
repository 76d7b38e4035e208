package dashboards

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crdmon/crdmon/generator/output"
)

// Dashboard UIDs: Grafana accepts at most 40 characters of [a-zA-Z0-9_-].
const (
	uidPrefix = "crdmon-"
	maxUID    = 40
	hashLen   = 8
)

var notUIDChar = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// uid derives a stable dashboard UID from a board key. Keys that had to be
// changed or shortened get a hash of the key appended, so distinct keys
// (e.g. "a.b" and "a-b") never share a UID.
func uid(key string) string {
	s := notUIDChar.ReplaceAllString(key, "-")
	if s == key && len(uidPrefix)+len(s) <= maxUID {
		return uidPrefix + s
	}
	sum := sha256.Sum256([]byte(key))
	room := maxUID - len(uidPrefix) - 1 - hashLen
	if len(s) > room {
		s = s[:room]
	}
	s = strings.Trim(s, "-_")
	return uidPrefix + s + "-" + hex.EncodeToString(sum[:])[:hashLen]
}

// objectName is the name of a board's ConfigMap and GrafanaDashboard: a
// DNS subdomain (kinds and groups are lower-case DNS names already).
func objectName(key string) string {
	name := "crdmon-dashboard-" + strings.ToLower(key)
	if len(name) > 253 {
		name = strings.TrimRight(name[:253], ".-")
	}
	return name
}

// Annotation the kube-prometheus-stack sidecar reads the folder from
// (sidecar.dashboards.folderAnnotation).
const folderAnnotation = "grafana_folder"

// wrappers are the Kubernetes objects carrying a dashboard: a ConfigMap for
// the Grafana sidecar and, when asked, a GrafanaDashboard for grafana-operator.
func wrappers(b board, js []byte, opts Options) ([]output.File, error) {
	meta := metav1.ObjectMeta{Name: objectName(b.key), Namespace: opts.Namespace}
	cmMeta := meta
	cmMeta.Labels = opts.ConfigMapLabels
	if opts.Folder != "" {
		cmMeta.Annotations = map[string]string{folderAnnotation: opts.Folder}
	}
	cm := corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: cmMeta,
		Data:       map[string]string{b.key + ".json": string(js)},
	}
	content, err := output.YAMLDocuments(cm)
	if err != nil {
		return nil, err
	}
	files := []output.File{{Path: Dir + "/" + b.key + ".configmap.yaml", Content: content}}
	if !opts.GrafanaOperator {
		return files, nil
	}
	selector := map[string]any{}
	if len(opts.InstanceSelector) > 0 {
		selector["matchLabels"] = opts.InstanceSelector
	}
	spec := map[string]any{"instanceSelector": selector, "json": string(js)}
	if opts.Folder != "" {
		spec["folder"] = opts.Folder
	}
	gd := map[string]any{
		"apiVersion": "grafana.integreatly.org/v1beta1",
		"kind":       "GrafanaDashboard",
		"metadata":   meta,
		"spec":       spec,
	}
	content, err = output.YAMLDocuments(gd)
	if err != nil {
		return nil, err
	}
	return append(files, output.File{Path: Dir + "/" + b.key + ".grafanadashboard.yaml", Content: content}), nil
}
