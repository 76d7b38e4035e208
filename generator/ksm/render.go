package ksm

import (
	"fmt"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// quietLogV is the klog verbosity for generation errors of optional status
// fields, so objects a controller has not reconciled yet do not spam the log.
const quietLogV = 4

// Build returns the kube-state-metrics config exposing every kind that has
// signals. Kinds without signals are left out: crdmon reports them instead.
func Build(m model.Model, prefix string) (Config, error) {
	if prefix != "" && !series.ValidName(prefix) {
		return Config{}, fmt.Errorf("metric prefix %q is not a valid Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*)", prefix)
	}
	cfg := Config{Kind: "CustomResourceStateMetrics", Spec: Spec{Resources: []Resource{}}}
	for _, k := range m.Kinds {
		if k.HasSignals() {
			cfg.Spec.Resources = append(cfg.Spec.Resources, resource(k, prefix))
		}
	}
	return cfg, nil
}

func resource(k model.Kind, prefix string) Resource {
	p := prefix
	labels := map[string][]string{series.LabelName: {"metadata", "name"}}
	if k.Namespaced {
		labels[series.LabelNamespace] = []string{"metadata", "namespace"}
	}
	r := Resource{
		GroupVersionKind: GroupVersionKind{Group: k.Group, Version: k.Version, Kind: k.Kind},
		MetricNamePrefix: &p,
		LabelsFromPath:   labels,
		ResourcePlural:   k.Plural,
	}
	r.Metrics = append(r.Metrics, info(k))
	for _, c := range k.Conditions {
		r.Metrics = append(r.Metrics, condition(k, c))
	}
	if k.Replicas != nil {
		r.Metrics = append(r.Metrics,
			gauge(series.ReplicasDesired, fmt.Sprintf("%s: desired replicas (%s).", k.Kind, k.Replicas.Desired.SchemaPath), k.Replicas.Desired.Path, false),
			gauge(series.ReplicasReady, fmt.Sprintf("%s: ready replicas (%s).", k.Kind, k.Replicas.Ready.SchemaPath), k.Replicas.Ready.Path, false))
	}
	if k.Generation != nil {
		r.Metrics = append(r.Metrics,
			gauge(series.Generation, fmt.Sprintf("%s: generation of the spec (metadata.generation).", k.Kind), []string{"metadata", "generation"}, false),
			gauge(series.ObservedGeneration, fmt.Sprintf("%s: generation last acted on by the controller (%s).", k.Kind, k.Generation.Observed.SchemaPath), k.Generation.Observed.Path, false))
	}
	for _, ph := range k.Phases {
		r.Metrics = append(r.Metrics, Generator{
			Name:         series.PhaseInfo,
			Help:         fmt.Sprintf("%s: current value of %s.", k.Kind, ph.SchemaPath),
			CommonLabels: map[string]string{series.LabelField: ph.SchemaPath},
			Each: Metric{Type: TypeInfo, Info: &MetricInfo{
				Path:           ph.Path,
				LabelsFromPath: map[string][]string{series.LabelPhase: {}},
			}},
		})
	}
	return r
}

func info(k model.Kind) Generator {
	labels := map[string][]string{
		series.LabelName:     {"metadata", "name"},
		series.LabelDeleting: {"metadata", "deletionTimestamp"},
	}
	if k.Suspend != nil {
		labels[series.LabelSuspended] = k.Suspend.Path
	}
	return Generator{
		Name: series.Info,
		Help: fmt.Sprintf("%s: one series per object.", k.Kind),
		Each: Metric{Type: TypeInfo, Info: &MetricInfo{LabelsFromPath: labels}},
	}
}

func condition(k model.Kind, c model.ConditionSet) Generator {
	labels := map[string][]string{series.LabelType: {"type"}}
	if c.HasStatus {
		labels[series.LabelStatus] = []string{"status"}
	}
	if c.HasReason {
		labels[series.LabelReason] = []string{"reason"}
	}
	// nilIsZero: a condition without lastTransitionTime (optional in many
	// schemas) still yields a series, of value 0, instead of being skipped;
	// the price is one series without type, status or reason for an object
	// whose list is absent, which no query selects.
	g := Generator{
		Name: series.Condition,
		Help: fmt.Sprintf("%s: conditions (%s); value is lastTransitionTime in Unix seconds, 0 when unset.", k.Kind, c.SchemaPath),
		Each: Metric{Type: TypeGauge, Gauge: &MetricGauge{
			Path:           c.Path,
			ValueFrom:      []string{"lastTransitionTime"},
			LabelsFromPath: labels,
			NilIsZero:      true,
		}},
	}
	if c.Scope != "" {
		g.CommonLabels = map[string]string{series.LabelPath: c.Scope}
	}
	return g
}

// gauge reads one numeric field. Optional fields that have a meaningful zero
// use nilIsZero; the others keep their errors at a quiet log level.
func gauge(name, help string, path []string, nilIsZero bool) Generator {
	g := Generator{
		Name: name,
		Help: help,
		Each: Metric{Type: TypeGauge, Gauge: &MetricGauge{Path: path, NilIsZero: nilIsZero}},
	}
	if !nilIsZero && !(len(path) == 2 && path[0] == "metadata") {
		g.ErrorLogV = quietLogV
	}
	return g
}
