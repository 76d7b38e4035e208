package dashboards

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// configMapYAML is output.YAMLDocuments(cm) with text under key as its only
// data, written without encoding the text twice more. yaml.v2 (under
// sigs.k8s.io/yaml) writes such text as a literal block, each line indented,
// when it is lines of printable ASCII without trailing spaces, ending in one
// newline; and the key plain when it is a lower-case name. Other text goes
// through output.YAMLDocuments.
func configMapYAML(cm corev1.ConfigMap, key string, text []byte) ([]byte, error) {
	rest, err := output.YAMLDocuments(cm) // without data
	if err != nil {
		return nil, err
	}
	head := []byte(output.Header("#") + "apiVersion: v1\n")
	if !literalText(text) || !plainKey.MatchString(key) || !bytes.HasPrefix(rest, head) {
		cm.Data = map[string]string{key: string(text)}
		return output.YAMLDocuments(cm)
	}
	out := make([]byte, 0, len(rest)+len(text)+len(text)/8+64)
	out = append(out, head...)
	out = append(out, "data:\n  "+key+": |\n"...)
	for line := range bytes.Lines(text) {
		out = append(out, "    "...)
		out = append(out, line...)
	}
	return append(out, rest[len(head):]...), nil
}

// plainKey matches keys yaml.v2 writes unquoted.
var plainKey = regexp.MustCompile(`^[a-z][a-z0-9.-]*$`)

// literalText reports whether yaml.v2 writes text as a literal block with
// the default chomping: it starts with '{', has only printable ASCII, no
// empty line, no space before a newline, and ends in one newline.
func literalText(text []byte) bool {
	if len(text) < 2 || text[0] != '{' || text[len(text)-1] != '\n' {
		return false
	}
	for i, c := range text {
		if c == '\n' {
			if text[i-1] == ' ' || text[i-1] == '\n' {
				return false
			}
		} else if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
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
	}
	content, err := configMapYAML(cm, b.key+".json", js)
	if err != nil {
		return nil, err
	}
	// The ConfigMap as JSON too, for its size checks (cheaper than parsing
	// its YAML again).
	cm.Data = map[string]string{b.key + ".json": string(js)}
	cmJSON, err := json.Marshal(cm)
	if err != nil {
		return nil, err
	}
	files := []output.File{{Path: Dir + "/" + b.key + ".configmap.yaml", Content: content, JSON: [][]byte{cmJSON}}}
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
