// Package rules renders Prometheus alerting rules from the model: alerts on
// the kube-state-metrics series of each kind's health signals and on
// controller-runtime metrics, as PrometheusRule objects and/or plain rule
// files, with a `promtool test rules` file per API group showing every alert
// firing and silent. Everything rendered is validated before it is returned.
package rules

import (
	"fmt"
	"sort"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	prommodel "github.com/prometheus/common/model"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

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

// PrometheusRulePath is the PrometheusRule file of an API group.
func PrometheusRulePath(group string) string { return Dir + "/" + group + ".yaml" }

// PlainPath is the plain rule file of an API group.
func PlainPath(group string) string { return Dir + "/" + group + ".rules.yaml" }

// TestPath is the promtool test file of an API group.
func TestPath(group string) string { return TestDir + "/" + group + ".test.yaml" }

// GroupName is the rule group name of an API group.
func GroupName(group string) string { return "crdmon." + group }

// Render renders and validates the rules for m.
func Render(m model.Model, o Options) ([]output.File, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	set := o.Templates
	if set == nil {
		set = templates.Default()
	}
	if o.RunbookURLTemplate != "" {
		var err error
		if set, err = set.Override("runbook_url", o.RunbookURLTemplate, "runbook URL template"); err != nil {
			return nil, err
		}
	}
	b := &builder{o: o, names: newNamer()}
	bySubject := subjects(m, o)
	groups := make([]string, 0, len(bySubject))
	for g := range bySubject {
		groups = append(groups, g)
	}
	sort.Strings(groups)

	var files []output.File
	for _, g := range groups {
		var alerts []alert
		for _, s := range bySubject[g] {
			if s.key != g {
				if err := checkSettings(s.key, s.settings); err != nil {
					return nil, err
				}
			}
			alerts = append(alerts, b.alerts(s)...)
		}
		if len(alerts) == 0 {
			continue
		}
		rg := monitoringv1.RuleGroup{Name: GroupName(g)}
		for i := range alerts {
			r, err := b.rule(&alerts[i], set)
			if err != nil {
				return nil, err
			}
			rg.Rules = append(rg.Rules, r)
		}
		fs, err := b.files(g, rg, alerts)
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	output.Sort(files)
	if err := Validate(files, m, o.Prefix); err != nil {
		return nil, err
	}
	return files, nil
}

// rule renders one alert's rule, filling its annotations from the templates.
func (b *builder) rule(a *alert, set *templates.Set) (monitoringv1.Rule, error) {
	labels := map[string]string{LabelSeverity: a.settings.Severity}
	for k, v := range b.o.ExtraAlertLabels {
		labels[k] = v
	}
	ann := map[string]string{}
	for k, v := range b.o.ExtraAnnotations {
		ann[k] = v
	}
	for name, tmpl := range map[string]string{
		AnnotationSummary:     string(a.class) + ".summary",
		AnnotationDescription: string(a.class) + ".description",
		AnnotationRunbookURL:  "runbook_url",
	} {
		text, err := set.Render(tmpl, a.data)
		if err != nil {
			return monitoringv1.Rule{}, fmt.Errorf("rules: alert %s: %w", a.name, err)
		}
		if text != "" {
			ann[name] = text
		}
	}
	d := monitoringv1.Duration(prommodel.Duration(a.forDur).String())
	return monitoringv1.Rule{
		Alert: a.name, Expr: intstr.FromString(a.expr), For: &d,
		Labels: labels, Annotations: ann,
	}, nil
}

// plainFile is the document of a plain Prometheus rule file.
type plainFile struct {
	Groups []monitoringv1.RuleGroup `json:"groups"`
}

func (b *builder) files(group string, rg monitoringv1.RuleGroup, alerts []alert) ([]output.File, error) {
	var out []output.File
	if b.o.Format != FormatPlain {
		pr := monitoringv1.PrometheusRule{
			TypeMeta: metav1.TypeMeta{APIVersion: monitoringv1.SchemeGroupVersion.String(), Kind: monitoringv1.PrometheusRuleKind},
			ObjectMeta: metav1.ObjectMeta{
				Name: "crdmon-" + group, Namespace: b.o.Namespace, Labels: b.o.RuleLabels,
			},
			Spec: monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{rg}},
		}
		f, err := yamlFile(PrometheusRulePath(group), pr)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if b.o.Format != FormatPrometheusRule {
		f, err := yamlFile(PlainPath(group), plainFile{Groups: []monitoringv1.RuleGroup{rg}})
		if err != nil {
			return nil, err
		}
		t, err := b.testFile(group, rg, alerts)
		if err != nil {
			return nil, err
		}
		out = append(out, f, t)
	}
	return out, nil
}

// yamlFile marshals v with the generated-file header.
func yamlFile(path string, v any) (output.File, error) {
	y, err := yaml.Marshal(v)
	if err != nil {
		return output.File{}, fmt.Errorf("rules: %s: %w", path, err)
	}
	return output.File{Path: path, Content: append([]byte(output.Header("#")), y...)}, nil
}
