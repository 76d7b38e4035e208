// Package ksm types the kube-state-metrics custom-resource-state config
// (field names exactly as kube-state-metrics' yaml tags spell them, see
// ../shared/reference/kube-state-metrics-crs.md §2) and renders it, with the
// RBAC kube-state-metrics needs, from the model.
package ksm

// Config is the CustomResourceStateMetrics document kube-state-metrics reads.
type Config struct {
	Kind string `json:"kind"`
	Spec Spec   `json:"spec"`
}

// Spec lists one Resource per GroupVersionKind.
type Spec struct {
	Resources []Resource `json:"resources"`
}

// GroupVersionKind names the watched kind; group must be concrete.
type GroupVersionKind struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// Resource is the config for one kind.
type Resource struct {
	GroupVersionKind GroupVersionKind    `json:"groupVersionKind"`
	MetricNamePrefix *string             `json:"metricNamePrefix,omitempty"`
	CommonLabels     map[string]string   `json:"commonLabels,omitempty"`
	LabelsFromPath   map[string][]string `json:"labelsFromPath,omitempty"`
	ResourcePlural   string              `json:"resourcePlural,omitempty"`
	ErrorLogV        int                 `json:"errorLogV,omitempty"`
	Metrics          []Generator         `json:"metrics"`
}

// Generator is one metric family.
type Generator struct {
	Name           string              `json:"name"`
	Help           string              `json:"help,omitempty"`
	CommonLabels   map[string]string   `json:"commonLabels,omitempty"`
	LabelsFromPath map[string][]string `json:"labelsFromPath,omitempty"`
	ErrorLogV      int                 `json:"errorLogV,omitempty"`
	Each           Metric              `json:"each"`
}

// Metric types, as kube-state-metrics spells them (it lower-cases on read).
const (
	TypeGauge    = "Gauge"
	TypeInfo     = "Info"
	TypeStateSet = "StateSet"
)

// Metric says how samples are produced; only the block matching Type is used.
type Metric struct {
	Type     string          `json:"type"`
	Gauge    *MetricGauge    `json:"gauge,omitempty"`
	Info     *MetricInfo     `json:"info,omitempty"`
	StateSet *MetricStateSet `json:"stateSet,omitempty"`
}

// MetricGauge emits numeric samples.
type MetricGauge struct {
	Path           []string            `json:"path,omitempty"`
	ValueFrom      []string            `json:"valueFrom,omitempty"`
	LabelsFromPath map[string][]string `json:"labelsFromPath,omitempty"`
	LabelFromKey   string              `json:"labelFromKey,omitempty"`
	NilIsZero      bool                `json:"nilIsZero,omitempty"`
}

// MetricInfo emits samples of value 1 carrying labels.
type MetricInfo struct {
	Path           []string            `json:"path,omitempty"`
	LabelsFromPath map[string][]string `json:"labelsFromPath,omitempty"`
	LabelFromKey   string              `json:"labelFromKey,omitempty"`
}

// MetricStateSet emits one sample per listed state.
type MetricStateSet struct {
	Path           []string            `json:"path,omitempty"`
	ValueFrom      []string            `json:"valueFrom,omitempty"`
	LabelName      string              `json:"labelName,omitempty"`
	List           []string            `json:"list,omitempty"`
	LabelsFromPath map[string][]string `json:"labelsFromPath,omitempty"`
}
