package ksm

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
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
		CommonLabels:     map[string]string{series.LabelScope: series.ScopeValue},
		LabelsFromPath:   labels,
		ResourcePlural:   k.Plural, // "" for a wildcard kind
	}
	r.Metrics = append(r.Metrics, info(k, subject))
	for _, c := range unrolled(k.Conditions) {
		r.Metrics = append(r.Metrics, condition(subject, c))
		if c.HasTransitionTime {
			r.Metrics = append(r.Metrics, conditionTime(subject, c))
		}
		if c.HasObservedGeneration {
			r.Metrics = append(r.Metrics, conditionGeneration(subject, c))
		}
	}
	r.Metrics = append(r.Metrics, declared(k, subject)...)
	if k.Replicas != nil {
		r.Metrics = append(r.Metrics,
			gauge(series.ReplicasDesired, help(subject, "desired replicas (%s).", k.Replicas.Desired.SchemaPath), k.Replicas.Desired.Path, false),
			gauge(series.ReplicasReady, help(subject, "ready replicas (%s).", k.Replicas.Ready.SchemaPath), k.Replicas.Ready.Path, false))
		for _, m := range k.Replicas.Members() {
			r.Metrics = append(r.Metrics,
				gauge(series.ReplicaMember(m.Name), help(subject, "%s replicas (%s).", m.Name, m.Field.SchemaPath), m.Field.Path, false))
		}
	}
	if k.Generation != nil || series.HasConditionGeneration(k) {
		r.Metrics = append(r.Metrics,
			gauge(series.Generation, help(subject, "generation of the spec (metadata.generation)."), []string{"metadata", "generation"}, false))
	}
	if k.Generation != nil {
		r.Metrics = append(r.Metrics,
			gauge(series.ObservedGeneration, help(subject, "generation last acted on by the controller (%s).", k.Generation.Observed.SchemaPath), k.Generation.Observed.Path, false))
	}
	for _, ph := range k.Phases {
		classes := model.ClassifyPhase(ph)
		common := map[string]string{series.LabelField: ph.SchemaPath, series.LabelValues: classes.Values}
		if class := classes.FalseClass(); classes.Values == series.ValuesFlag && class != "" {
			common[series.LabelClass] = class // the class of the flag's false value
		}
		r.Metrics = append(r.Metrics, Generator{
			Name:         series.PhaseInfo,
			Help:         help(subject, "current value of %s.", ph.SchemaPath),
			CommonLabels: common,
			Each: Metric{Type: TypeInfo, Info: &MetricInfo{
				Path:           ph.Path,
				LabelsFromPath: map[string][]string{series.LabelPhase: {}},
			}},
		})
		if classes.Values != series.ValuesEnum {
			continue // declared values: the override table classifies them
		}
		for _, c := range []struct {
			class  string
			values []string
		}{{series.ClassFailure, classes.Failure}, {series.ClassProgress, classes.Progress}, {series.ClassSuspended, classes.Suspended}} {
			if len(c.values) == 0 {
				continue
			}
			r.Metrics = append(r.Metrics, Generator{
				Name:         series.PhaseClass,
				Help:         help(subject, "%s values of %s: 1 for the value it holds.", c.class, ph.SchemaPath),
				CommonLabels: map[string]string{series.LabelField: ph.SchemaPath, series.LabelClass: c.class},
				Each: Metric{Type: TypeStateSet, StateSet: &MetricStateSet{
					Path: ph.Path, LabelName: series.LabelPhase, List: c.values,
				}},
			})
		}
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
	g := Generator{
		Name: series.Info,
		Help: strings.TrimSpace(help(subject, "one series per object.") + " " + model.LearnedNote([]model.Kind{k})),
		Each: Metric{Type: TypeInfo, Info: &MetricInfo{LabelsFromPath: labels}},
	}
	common := map[string]string{}
	top, ok := topLevelConditions(k)
	if ok {
		// Family level, resolved on the whole object: the first Ready
		// condition of the top-level list (reference §6, Flux's ready label).
		g.LabelsFromPath = map[string][]string{series.LabelReady: append(slices.Clone(top.Path), "[type=Ready]", "status")}
		if slices.Contains(top.KnownTypes, "Ready") {
			common[series.LabelExpectsReady] = "true"
		}
	}
	switch {
	case slices.ContainsFunc(k.Conditions, func(c model.ConditionSet) bool { return c.HasStatus && !c.Assumed }):
		// A list the schema shows, top-level or nested (status.parents[]
		// .conditions): an object with no condition in any has not been
		// judged yet.
		common[series.LabelReports] = series.ReportsConditions
	case slices.ContainsFunc(k.Phases, func(ph model.Phase) bool { return !ph.Error }):
		common[series.LabelReports] = series.ReportsState
	}
	if len(common) > 0 {
		g.CommonLabels = common
	}
	return g
}

// topLevelConditions returns the kind's top-level condition list when it has
// a status field: the list whose Ready condition speaks for the object, and
// whose absence means the controller has not reported yet.
func topLevelConditions(k model.Kind) (model.ConditionSet, bool) {
	for _, c := range k.Conditions {
		if c.Scope == "" && c.HasStatus {
			return c, true
		}
	}
	return model.ConditionSet{}, false
}

// declared returns one family per condition type whose polarity crdmon.yaml
// declares for the kind (reference §3 (b)): one series per object, the type
// and polarity as static labels; the rules give that polarity to every
// condition of the type, in every list of the object.
func declared(k model.Kind, subject string) []Generator {
	if len(k.Conditions) == 0 || len(k.Polarity) == 0 {
		return nil
	}
	types := slices.Sorted(maps.Keys(k.Polarity))
	out := make([]Generator, 0, len(types))
	for _, t := range types {
		out = append(out, Generator{
			Name:         series.ConditionDeclared,
			Help:         help(subject, "condition %s, declared %s in crdmon.yaml.", t, k.Polarity[t]),
			CommonLabels: map[string]string{series.LabelType: t, series.LabelPolarity: string(k.Polarity[t])},
			Each:         Metric{Type: TypeInfo, Info: &MetricInfo{LabelsFromPath: map[string][]string{series.LabelName: {"metadata", "name"}}}},
		})
	}
	return out
}

// condition is an Info over a condition list: one series per condition,
// whatever its lastTransitionTime holds (a Gauge taking its value from it
// loses the condition when the time is not RFC 3339, reference §6).
func condition(subject string, c model.ConditionSet) Generator {
	return Generator{
		Name:         series.Condition,
		Help:         help(subject, "conditions (%s), 1 per condition.", c.SchemaPath),
		CommonLabels: conditionCommon(c),
		ErrorLogV:    quietLogV,
		Each: Metric{Type: TypeInfo, Info: &MetricInfo{
			Path:           c.Path,
			LabelsFromPath: conditionLabels(c),
		}},
	}
}

// conditionTime is the lastTransitionTime of each condition of a list, with
// the labels of its condition series.
func conditionTime(subject string, c model.ConditionSet) Generator {
	return conditionGauge(series.ConditionTime, help(subject, "lastTransitionTime of the conditions (%s) in Unix seconds.", c.SchemaPath),
		c, "lastTransitionTime", conditionLabels(c))
}

// conditionGauge reads field of each condition of a list as a gauge; a
// condition without it is skipped (reference §6).
func conditionGauge(name, help string, c model.ConditionSet, field string, labels map[string][]string) Generator {
	return Generator{
		Name:         name,
		Help:         help,
		CommonLabels: conditionCommon(c),
		ErrorLogV:    quietLogV,
		Each: Metric{Type: TypeGauge, Gauge: &MetricGauge{
			Path:           c.Path,
			ValueFrom:      []string{field},
			LabelsFromPath: labels,
		}},
	}
}

// NestedElements is how many elements of the outer list of a nested
// condition list (status.parents[].conditions) the config observes:
// kube-state-metrics cannot iterate a list inside a list, so each of the
// first NestedElements elements gets its own families, labelled path
// "status.parents[0]", "status.parents[1]"... An element beyond them is
// not seen.
const NestedElements = 4

// unrolled returns the condition lists to observe: top-level lists as they
// are, and each nested list once per element of its outer list, up to
// NestedElements (the model names element 0). An outer list that keeps a
// history (history, recent*, previous*, past*) is read at its first
// element only: a past failure is not the object's state.
func unrolled(sets []model.ConditionSet) []model.ConditionSet {
	var out []model.ConditionSet
	for _, c := range sets {
		at := slices.Index(c.Path, "0")
		if c.Scope == "" || at < 1 || history.MatchString(c.Path[at-1]) {
			out = append(out, c)
			continue
		}
		for i := range NestedElements {
			e := c
			e.Path = slices.Clone(c.Path)
			e.Path[at] = strconv.Itoa(i)
			e.Scope = strings.Replace(c.Scope, "[0]", "["+strconv.Itoa(i)+"]", 1)
			out = append(out, e)
		}
	}
	return out
}

// history matches the names of lists that keep past entries.
var history = regexp.MustCompile(`^(?:history|recent|previous|past|last)`)

// conditionGeneration is the observedGeneration of each condition of a list
// that has one, labelled with its type.
func conditionGeneration(subject string, c model.ConditionSet) Generator {
	return conditionGauge(series.ConditionGeneration, help(subject, "observedGeneration of the conditions (%s).", c.SchemaPath),
		c, "observedGeneration", map[string][]string{series.LabelType: {"type"}})
}

// conditionLabels are the labels each condition of a list carries.
func conditionLabels(c model.ConditionSet) map[string][]string {
	labels := map[string][]string{series.LabelType: {"type"}}
	if c.HasStatus {
		labels[series.LabelStatus] = []string{"status"}
	}
	if c.HasReason {
		labels[series.LabelReason] = []string{"reason"}
	}
	if c.HasSeverity {
		labels[series.LabelSeverity] = []string{"severity"}
	}
	return labels
}

// conditionCommon are the static labels of a list's condition series: its
// scope for a nested list, and status "True" for a list without status
// field, where a listed condition holds.
func conditionCommon(c model.ConditionSet) map[string]string {
	out := map[string]string{}
	if c.Scope != "" {
		out[series.LabelPath] = c.Scope
	}
	if !c.HasStatus {
		out[series.LabelStatus] = "True"
	}
	if len(out) == 0 {
		return nil
	}
	return out
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
