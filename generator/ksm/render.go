package ksm

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/crdmon/crdmon/generator/limits"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// quietLogV is the klog verbosity for generation errors of optional status
// fields, so objects a controller has not reconciled yet do not spam the log.
const quietLogV = 4

// Build returns the kube-state-metrics config exposing every kind that has
// signals, one resource per kind. Kinds without signals are left out:
// crdmon reports them instead. (Render may merge kinds into wildcard
// resources, see Options.Wildcards.)
func Build(m model.Model, prefix string) (Config, error) {
	w, err := build(m, Options{Prefix: prefix})
	return w.cfg, err
}

// build returns the config as Options.Wildcards asks, written.
func build(m model.Model, opts Options) (written, error) {
	if opts.Prefix != "" && !series.ValidName(opts.Prefix) {
		return written{}, fmt.Errorf("metric prefix %q is not a valid Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*)", opts.Prefix)
	}
	cfg := Config{Kind: "CustomResourceStateMetrics", Spec: Spec{Resources: []Resource{}}}
	for _, k := range m.Kinds {
		if k.HasSignals() {
			subject := k.Kind
			if k.Wildcard() {
				subject = "" // the help texts of a wildcard resource name no kind
			}
			cfg.Spec.Resources = append(cfg.Spec.Resources, resource(k, opts.Prefix, subject))
		}
	}
	w, err := write(cfg)
	if err != nil {
		return written{}, err
	}
	merge := false
	switch opts.Wildcards {
	case WildcardsNever, "":
	case WildcardsAlways:
		merge = true
	case WildcardsAuto:
		size, err := w.size()
		if err != nil {
			return written{}, err
		}
		merge = size > cmp.Or(opts.MaxConfig, limits.KSMConfig)
	default:
		return written{}, fmt.Errorf("kube-state-metrics wildcards %q: want %s, %s or %s", opts.Wildcards, WildcardsAuto, WildcardsAlways, WildcardsNever)
	}
	if !merge {
		return w, nil
	}
	merged := Config{Kind: cfg.Kind, Spec: Spec{Resources: withWildcards(m, opts.Prefix, opts.Installed)}}
	if len(merged.Spec.Resources) == len(cfg.Spec.Resources) {
		return w, nil // nothing to merge
	}
	return write(merged)
}

// resource is the config entry of one kind. Help texts start with subject,
// the kind; with subject "" they name no kind (for wildcard resources).
func resource(k model.Kind, prefix, subject string) Resource {
	p := prefix
	labels := map[string][]string{series.LabelName: {"metadata", "name"}}
	if k.Namespaced {
		labels[series.LabelNamespace] = []string{"metadata", "namespace"}
	}
	r := Resource{
		GroupVersionKind: GroupVersionKind{Group: k.Group, Version: k.Version, Kind: k.Kind},
		MetricNamePrefix: &p,
		LabelsFromPath:   labels,
		ResourcePlural:   k.Plural, // "" for a wildcard kind
	}
	r.Metrics = append(r.Metrics, info(k, subject))
	for _, c := range k.Conditions {
		r.Metrics = append(r.Metrics, condition(subject, c))
	}
	if k.Replicas != nil {
		r.Metrics = append(r.Metrics,
			gauge(series.ReplicasDesired, help(subject, "desired replicas (%s).", k.Replicas.Desired.SchemaPath), k.Replicas.Desired.Path, false),
			gauge(series.ReplicasReady, help(subject, "ready replicas (%s).", k.Replicas.Ready.SchemaPath), k.Replicas.Ready.Path, false))
		for _, m := range k.Replicas.Members() {
			r.Metrics = append(r.Metrics,
				gauge(series.ReplicaMember(m.Name), help(subject, "%s replicas (%s).", m.Name, m.Field.SchemaPath), m.Field.Path, false))
		}
	}
	if k.Generation != nil {
		r.Metrics = append(r.Metrics,
			gauge(series.Generation, help(subject, "generation of the spec (metadata.generation)."), []string{"metadata", "generation"}, false),
			gauge(series.ObservedGeneration, help(subject, "generation last acted on by the controller (%s).", k.Generation.Observed.SchemaPath), k.Generation.Observed.Path, false))
	}
	for _, ph := range k.Phases {
		r.Metrics = append(r.Metrics, Generator{
			Name:         series.PhaseInfo,
			Help:         help(subject, "current value of %s.", ph.SchemaPath),
			CommonLabels: map[string]string{series.LabelField: ph.SchemaPath},
			Each: Metric{Type: TypeInfo, Info: &MetricInfo{
				Path:           ph.Path,
				LabelsFromPath: map[string][]string{series.LabelPhase: {}},
			}},
		})
	}
	for _, ts := range k.Timestamps {
		g := gauge(series.TimestampSeconds, help(subject, "%s time %s in Unix seconds.", ts.Meaning, ts.SchemaPath), ts.Path, false)
		g.CommonLabels = map[string]string{series.LabelField: ts.SchemaPath, series.LabelMeaning: ts.Meaning}
		r.Metrics = append(r.Metrics, g)
	}
	for _, f := range k.Failures {
		g := gauge(series.Failures, help(subject, "failure counter %s; 0 when unset.", f.SchemaPath), f.Path, true)
		g.CommonLabels = map[string]string{series.LabelField: f.SchemaPath}
		r.Metrics = append(r.Metrics, g)
	}
	for _, f := range k.Problems {
		g := gauge(series.Problems, help(subject, "problem counter %s, healthy at 0; 0 when unset.", f.SchemaPath), f.Path, true)
		g.CommonLabels = map[string]string{series.LabelField: f.SchemaPath}
		r.Metrics = append(r.Metrics, g)
	}
	return r
}

// help formats a help text, "Subject: text" or, without a subject, "Text".
func help(subject, format string, args ...any) string {
	text := fmt.Sprintf(format, args...)
	if subject == "" {
		return strings.ToUpper(text[:1]) + text[1:]
	}
	return subject + ": " + text
}

func info(k model.Kind, subject string) Generator {
	labels := map[string][]string{
		series.LabelName:     {"metadata", "name"},
		series.LabelDeleting: {"metadata", "deletionTimestamp"},
	}
	if k.Suspend != nil {
		labels[series.LabelSuspended] = k.Suspend.Path
	}
	return Generator{
		Name: series.Info,
		Help: help(subject, "one series per object."),
		Each: Metric{Type: TypeInfo, Info: &MetricInfo{LabelsFromPath: labels}},
	}
}

func condition(subject string, c model.ConditionSet) Generator {
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
		Help: help(subject, "conditions (%s); value is lastTransitionTime in Unix seconds, 0 when unset.", c.SchemaPath),
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
