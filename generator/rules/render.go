// Package rules renders crdmon's rule pack: recording rules that normalise
// every kind's health signals into a few series per object (layer 1), one
// health state per object (layer 2, package health writes both) and one
// alert per class for every kind (layer 3), the same whatever the kinds;
// plus an exception layer for what crdmon.yaml sets per kind. Both come as
// PrometheusRule objects and/or plain rule files, with `promtool test
// rules` files. Everything rendered is validated before it is returned.
// docs/rule-pack.md describes the layers.
package rules

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	prommodel "github.com/prometheus/common/model"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/templates"
)

// Dir is the output directory of rule files, relative to the output root.
const Dir = "rules"

// TestDir holds the promtool unit test files.
const TestDir = Dir + "/tests"

// Annotation names.
const (
	AnnotationSummary     = "summary"
	AnnotationDescription = "description"
	AnnotationRunbookURL  = "runbook_url"
)

// LabelSeverity is the label carrying critical, warning or info.
const LabelSeverity = "severity"

// Names of the rule files: the pack, written once for every kind, and the
// exception layer, written only when crdmon.yaml changes settings per kind
// or names controllers.
const (
	PackName      = "crdmon-pack"
	OverridesName = "crdmon-overrides"
)

// Rule group names.
const (
	// PackGroup holds the whole pack, in order: the recording rules of
	// layers 1 and 2, then the alerts of layer 3. One group, because
	// Prometheus evaluates a group's rules in order at one timestamp, so
	// the alerts read this round's signals, while rule groups run apart
	// (and promtool's unit tests evaluate them in no fixed order).
	PackGroup      = "crdmon.pack"
	OverridesGroup = "crdmon.overrides" // the override table and exception alerts
)

// PrometheusRulePath is the PrometheusRule file of a rule file name.
func PrometheusRulePath(name string) string { return Dir + "/" + name + ".yaml" }

// PlainPath is the plain rule file of a rule file name.
func PlainPath(name string) string { return Dir + "/" + name + ".rules.yaml" }

// TestPath is the promtool test file of a rule file name.
func TestPath(name string) string { return TestDir + "/" + name + ".test.yaml" }

// IsPlainPath reports whether p is the path of a plain rule file (PlainPath).
func IsPlainPath(p string) bool {
	ok, _ := path.Match(Dir+"/*.rules.yaml", p)
	return ok
}

// Render renders and validates the rules for m, sorted by path.
func Render(m model.Model, o Options) ([]output.File, error) {
	var files output.Collector
	if err := RenderTo(m, o, files.Put); err != nil {
		return nil, err
	}
	return files.Sorted(), nil
}

// RenderTo renders and validates the rules for m: the pack, whose size does
// not depend on m, and the overrides of m's kinds; it hands the files to
// emit once all have validated.
func RenderTo(m model.Model, o Options, emit output.Sink) error {
	if err := o.check(); err != nil {
		return err
	}
	set := o.Templates
	if set == nil {
		set = templates.Default()
	}
	if o.RunbookURLTemplate != "" {
		var err error
		if set, err = set.Override("runbook_url", o.RunbookURLTemplate, "runbook URL template"); err != nil {
			return err
		}
	}
	b := newPackBuilder(o)
	ov, err := b.overrides(m)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(m.Kinds, model.Kind.HasSignals) && len(ov.controllers) == 0 {
		return nil // nothing to alert on, no state to record
	}
	var docs []document
	pack, err := b.packGroups(set)
	if err != nil {
		return err
	}
	tests, err := b.packTests(pack)
	if err != nil {
		return err
	}
	docs = append(docs, b.documents(PackName, pack, tests)...)
	if !ov.empty() {
		groups, tests, err := b.overrideGroups(ov, set)
		if err != nil {
			return err
		}
		docs = append(docs, b.documents(OverridesName, groups, tests)...)
	}
	js, err := encode(docs)
	if err != nil {
		return err
	}
	fs := make([]output.File, len(docs))
	for i, d := range docs {
		if fs[i], err = yamlFile(d.path, js[i]); err != nil {
			return err
		}
	}
	if err := validate(fs, o.Prefix); err != nil {
		return err
	}
	return emit.PutAll(fs)
}

// packGroups are the pack's rule groups: one (PackGroup), the recording
// rules of layers 1 and 2, then one alert per class (layer 3).
func (b packBuilder) packGroups(set *templates.Set) ([]monitoringv1.RuleGroup, error) {
	pack := monitoringv1.RuleGroup{Name: PackGroup}
	for _, r := range b.p.Rules() {
		pack.Rules = append(pack.Rules, monitoringv1.Rule{Record: r.Record, Expr: intstr.FromString(r.Expr)})
	}
	for _, c := range Classes {
		st := b.o.Classes[c]
		if st.Disabled {
			continue
		}
		a, ok := b.classAlert(c, st, packScope(c))
		if !ok {
			continue
		}
		rs, err := b.rules(a, set)
		if err != nil {
			return nil, err
		}
		pack.Rules = append(pack.Rules, rs...)
	}
	return []monitoringv1.RuleGroup{pack}, nil
}

// encode encodes each document to JSON.
func encode(docs []document) ([][]byte, error) {
	js := make([][]byte, len(docs))
	for i, d := range docs {
		var err error
		if js[i], err = json.Marshal(d.v); err != nil {
			return nil, fmt.Errorf("rules: %s: %w", d.path, err)
		}
	}
	return js, nil
}

// rules renders a class alert's rules, filling their annotations from the
// templates: annotations read naturally for any kind, naming the object
// from its labels when the alert fires.
func (b packBuilder) rules(a classAlert, set *templates.Set) ([]monitoringv1.Rule, error) {
	name := AlertNames[a.class]
	data := TemplateData{
		Alert: name, Class: string(a.class), Subject: "custom resource",
		Condition: "{{ $labels.signal }}", Phase: a.class == PhaseFailed,
		Threshold:   prommodel.Duration(a.settings.For).String(),
		Limit:       strconv.FormatFloat(a.settings.Threshold, 'g', -1, 64),
		Controllers: a.controllers,
	}
	if TimeThreshold(a.class) {
		data.Limit = secondsString(a.settings.Threshold)
	}
	labels := map[string]string{LabelSeverity: a.settings.Severity}
	for k, v := range b.o.ExtraAlertLabels {
		labels[k] = v
	}
	ann := map[string]string{}
	for k, v := range b.o.ExtraAnnotations {
		ann[k] = v
	}
	for key, tmpl := range map[string]string{
		AnnotationSummary:     string(a.class) + ".summary",
		AnnotationDescription: string(a.class) + ".description",
		AnnotationRunbookURL:  "runbook_url",
	} {
		text, err := set.Render(tmpl, data)
		if err != nil {
			return nil, fmt.Errorf("rules: alert %s: %w", name, err)
		}
		if text != "" {
			ann[key] = text
		}
	}
	out := make([]monitoringv1.Rule, len(a.rules))
	for i, r := range a.rules {
		d := monitoringv1.Duration(prommodel.Duration(r.forDur).String())
		l := labels
		if r.timed {
			l = maps.Clone(labels)
			l[LabelAgeFrom] = "lastTransitionTime"
		}
		out[i] = monitoringv1.Rule{Alert: name, Expr: intstr.FromString(r.expr), For: &d, Labels: l, Annotations: ann}
	}
	return out, nil
}

// TemplateData is what annotation templates are executed with.
type TemplateData struct {
	Alert       string   // alert name
	Class       string   // alert class, e.g. "ConditionNotTrue"
	Subject     string   // what one object is called: "custom resource"
	Condition   string   // condition type: the template {{ $labels.signal }}
	Phase       bool     // the alert reads state fields, not conditions
	Threshold   string   // how long the problem must last, e.g. "15m"
	Limit       string   // numeric threshold (controller, timestamp and counter alerts)
	Controllers []string // controller names (controller alerts)
}

// plainFile is the document of a plain Prometheus rule file.
type plainFile struct {
	Groups []monitoringv1.RuleGroup `json:"groups"`
}

// document is one file to write: its path and what it holds.
type document struct {
	path string
	v    any
}

// documents are the files of one rule file name: its PrometheusRule object,
// plain rule file and promtool test file, as Options.Format asks.
func (b packBuilder) documents(name string, groups []monitoringv1.RuleGroup, tests []TestGroup) []document {
	var out []document
	if b.o.Format != FormatPlain {
		out = append(out, document{PrometheusRulePath(name), b.prometheusRule(name, groups)})
	}
	if b.o.Format != FormatPrometheusRule {
		tf := UnitTestFile{RuleFiles: []string{"../" + path.Base(PlainPath(name))}, EvaluationInterval: prommodel.Duration(evalStep).String(), Tests: tests}
		if name == OverridesName {
			tf.RuleFiles = append([]string{"../" + path.Base(PlainPath(PackName))}, tf.RuleFiles...)
		}
		out = append(out, document{PlainPath(name), plainFile{Groups: groups}}, document{TestPath(name), tf})
	}
	return out
}

// prometheusRule is the PrometheusRule object holding groups.
func (b packBuilder) prometheusRule(name string, groups []monitoringv1.RuleGroup) *monitoringv1.PrometheusRule {
	return &monitoringv1.PrometheusRule{
		TypeMeta: metav1.TypeMeta{APIVersion: monitoringv1.SchemeGroupVersion.String(), Kind: monitoringv1.PrometheusRuleKind},
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: b.o.Namespace, Labels: b.o.RuleLabels,
		},
		Spec: monitoringv1.PrometheusRuleSpec{Groups: groups},
	}
}

// yamlFile is the file at path holding the JSON document js as YAML, with
// the generated-file header (and js, for its size checks).
func yamlFile(path string, js []byte) (output.File, error) {
	content, err := output.AppendJSONToYAML([]byte(output.Header("#")), js)
	if err != nil {
		return output.File{}, fmt.Errorf("rules: %s: %w", path, err)
	}
	return output.File{Path: path, Content: content, JSON: [][]byte{js}}, nil
}

// RecordingRule is one recording rule of a plain rule file.
type RecordingRule struct {
	Record, Expr string
	Labels       map[string]string
}

// RecordingRules returns the recording rules of the plain rule files among
// files, in file and rule order: the order Prometheus evaluates a group in,
// each rule reading what the rules before it recorded.
func RecordingRules(files []output.File) ([]RecordingRule, error) {
	var v validator
	var out []RecordingRule
	for _, f := range files {
		if !IsPlainPath(f.Path) {
			continue
		}
		groups, err := v.parse(f)
		if err != nil {
			return nil, err
		}
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					out = append(out, RecordingRule{Record: r.Record, Expr: r.Expr, Labels: r.Labels})
				}
			}
		}
	}
	return out, nil
}
