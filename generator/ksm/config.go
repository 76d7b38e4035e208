// Package ksm types the kube-state-metrics custom-resource-state config
// (field names exactly as kube-state-metrics' yaml tags spell them, see
// ../shared/reference/kube-state-metrics-crs.md §2) and renders it, with the
// RBAC kube-state-metrics needs, from the model.
package ksm

// Config is the CustomResourceStateMetrics document kube-state-metrics reads.
type Config struct {
	Kind string `json:"kind" yaml:"kind"`
	Spec Spec   `json:"spec" yaml:"spec"`
}

// Spec lists one Resource per GroupVersionKind.
type Spec struct {
	Resources []Resource `json:"resources" yaml:"resources"`
}

// GroupVersionKind names the watched kind; group must be concrete.
type GroupVersionKind struct {
	Group   string `json:"group" yaml:"group"`
	Version string `json:"version" yaml:"version"`
	Kind    string `json:"kind" yaml:"kind"`
}

// Resource is the config for one kind.
type Resource struct {
	GroupVersionKind GroupVersionKind    `json:"groupVersionKind" yaml:"groupVersionKind"`
	MetricNamePrefix *string             `json:"metricNamePrefix,omitempty" yaml:"metricNamePrefix,omitempty"`
	CommonLabels     map[string]string   `json:"commonLabels,omitempty" yaml:"commonLabels,omitempty"`
	LabelsFromPath   map[string][]string `json:"labelsFromPath,omitempty" yaml:"labelsFromPath,omitempty"`
	ResourcePlural   string              `json:"resourcePlural,omitempty" yaml:"resourcePlural,omitempty"`
	ErrorLogV        int                 `json:"errorLogV,omitempty" yaml:"errorLogV,omitempty"`
	Metrics          []Generator         `json:"metrics" yaml:"metrics"`
}

// Generator is one metric family.
type Generator struct {
	Name           string              `json:"name" yaml:"name"`
	Help           string              `json:"help,omitempty" yaml:"help,omitempty"`
	CommonLabels   map[string]string   `json:"commonLabels,omitempty" yaml:"commonLabels,omitempty"`
	LabelsFromPath map[string][]string `json:"labelsFromPath,omitempty" yaml:"labelsFromPath,omitempty"`
	ErrorLogV      int                 `json:"errorLogV,omitempty" yaml:"errorLogV,omitempty"`
	Each           Metric              `json:"each" yaml:"each"`
}

// Metric types, as kube-state-metrics spells them (it lower-cases on read).
const (
	TypeGauge    = "Gauge"
	TypeInfo     = "Info"
	TypeStateSet = "StateSet"
)

// Metric says how samples are produced; only the block matching Type is used.
type Metric struct {
	Type     string          `json:"type" yaml:"type"`
	Gauge    *MetricGauge    `json:"gauge,omitempty" yaml:"gauge,omitempty"`
	Info     *MetricInfo     `json:"info,omitempty" yaml:"info,omitempty"`
	StateSet *MetricStateSet `json:"stateSet,omitempty" yaml:"stateSet,omitempty"`
}

// MetricGauge emits numeric samples.
type MetricGauge struct {
	Path           []string            `json:"path,omitempty" yaml:"path,omitempty"`
	ValueFrom      []string            `json:"valueFrom,omitempty" yaml:"valueFrom,omitempty"`
	LabelsFromPath map[string][]string `json:"labelsFromPath,omitempty" yaml:"labelsFromPath,omitempty"`
	LabelFromKey   string              `json:"labelFromKey,omitempty" yaml:"labelFromKey,omitempty"`
	NilIsZero      bool                `json:"nilIsZero,omitempty" yaml:"nilIsZero,omitempty"`
}

// MetricInfo emits samples of value 1 carrying labels.
type MetricInfo struct {
	Path           []string            `json:"path,omitempty" yaml:"path,omitempty"`
	LabelsFromPath map[string][]string `json:"labelsFromPath,omitempty" yaml:"labelsFromPath,omitempty"`
	LabelFromKey   string              `json:"labelFromKey,omitempty" yaml:"labelFromKey,omitempty"`
}

// MetricStateSet emits one sample per listed state.
type MetricStateSet struct {
	Path           []string            `json:"path,omitempty" yaml:"path,omitempty"`
	ValueFrom      []string            `json:"valueFrom,omitempty" yaml:"valueFrom,omitempty"`
	LabelName      string              `json:"labelName,omitempty" yaml:"labelName,omitempty"`
	List           []string            `json:"list,omitempty" yaml:"list,omitempty"`
	LabelsFromPath map[string][]string `json:"labelsFromPath,omitempty" yaml:"labelsFromPath,omitempty"`
}
