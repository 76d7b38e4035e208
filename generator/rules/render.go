// Package rules renders Prometheus alerting rules from the model: alerts on
// the kube-state-metrics series of each kind's health signals and on
// controller-runtime metrics, as PrometheusRule objects and/or plain rule
// files, with a `promtool test rules` file per API group showing every alert
// firing and silent. Everything rendered is validated before it is returned.
package rules

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	prommodel "github.com/prometheus/common/model"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/limits"
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
		mark := b.names.mark()
		rg, alerts, err := b.group(g, bySubject[g], set)
		if err != nil {
			return nil, err
		}
		if len(alerts) == 0 {
			continue
		}
		if o.Granularity == PerKind {
			size, err := limits.AppliedSize(b.prometheusRule(g, 1, rg))
			if err != nil {
				return nil, err
			}
			if size > b.maxObject() {
				// Too big for one object: alert per group and signal, as
				// --granularity group does, for this group only.
				b.names.rollback(mark)
				perGroup := o
				perGroup.Granularity = PerGroup
				if rg, alerts, err = b.group(g, subjects(kindsOf(m, g), perGroup)[g], set); err != nil {
					return nil, err
				}
			}
		}
		fs, err := b.files(g, rg, alerts, b.healthGroup(g, kindsOf(m, g).Kinds))
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

// kindsOf returns the model's kinds of one API group.
func kindsOf(m model.Model, group string) model.Model {
	var out model.Model
	for _, k := range m.Kinds {
		if k.Group == group {
			out.Kinds = append(out.Kinds, k)
		}
	}
	return out
}

// group renders the alerts of one API group's subjects as a rule group.
func (b *builder) group(g string, subjects []subject, set *templates.Set) (monitoringv1.RuleGroup, []alert, error) {
	var alerts []alert
	for _, s := range subjects {
		if s.key != g {
			if err := checkSettings(s.key, s.settings); err != nil {
				return monitoringv1.RuleGroup{}, nil, err
			}
		}
		alerts = append(alerts, b.alerts(s)...)
	}
	rg := monitoringv1.RuleGroup{Name: GroupName(g)}
	for i := range alerts {
		r, err := b.rule(&alerts[i], set)
		if err != nil {
			return monitoringv1.RuleGroup{}, nil, err
		}
		rg.Rules = append(rg.Rules, r)
	}
	return rg, alerts, nil
}

// maxObject is the most bytes a PrometheusRule may reach once applied.
func (b *builder) maxObject() int { return cmp.Or(b.o.MaxObject, limits.Annotations) }

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

func (b *builder) files(group string, rg monitoringv1.RuleGroup, alerts []alert, hg healthGroup) ([]output.File, error) {
	var out []output.File
	if b.o.Format != FormatPlain {
		split, err := b.split(group, rg)
		if err != nil {
			return nil, err
		}
		parts, err := b.withHealth(group, split, hg.rules)
		if err != nil {
			return nil, err
		}
		for i, part := range parts {
			f, err := yamlFile(partPath(group, i+1), b.prometheusRule(group, i+1, part[0], part[1:]...))
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
	}
	if b.o.Format != FormatPrometheusRule {
		f, err := yamlFile(PlainPath(group), plainFile{Groups: []monitoringv1.RuleGroup{rg, hg.rules}})
		if err != nil {
			return nil, err
		}
		t, err := b.testFile(group, rg, alerts, hg)
		if err != nil {
			return nil, err
		}
		out = append(out, f, t)
	}
	return out, nil
}

// prometheusRule is the PrometheusRule object of part (from 1) of a group's
// rules: one rule group, or several.
func (b *builder) prometheusRule(group string, part int, rg monitoringv1.RuleGroup, more ...monitoringv1.RuleGroup) monitoringv1.PrometheusRule {
	name := "crdmon-" + group
	if part > 1 {
		name += "-" + strconv.Itoa(part)
	}
	return monitoringv1.PrometheusRule{
		TypeMeta: metav1.TypeMeta{APIVersion: monitoringv1.SchemeGroupVersion.String(), Kind: monitoringv1.PrometheusRuleKind},
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: b.o.Namespace, Labels: b.o.RuleLabels,
		},
		Spec: monitoringv1.PrometheusRuleSpec{Groups: append([]monitoringv1.RuleGroup{rg}, more...)},
	}
}

// partPath is the file of a group's PrometheusRule part: PrometheusRulePath
// for the first, rules/<group>_<part>.yaml for the others ("_" is never in
// an API group, so no group's file is another's part).
func partPath(group string, part int) string {
	if part == 1 {
		return PrometheusRulePath(group)
	}
	return Dir + "/" + group + "_" + strconv.Itoa(part) + ".yaml"
}

// split divides a group's rules, in order, into the fewest rule groups whose
// PrometheusRule objects stay within the object limit: the rule group
// itself when it fits, else crdmon.<group>, crdmon.<group>-2, ... (the
// plain rule file keeps one group: it is no Kubernetes object).
func (b *builder) split(group string, rg monitoringv1.RuleGroup) ([]monitoringv1.RuleGroup, error) {
	size, err := limits.AppliedSize(b.prometheusRule(group, 1, rg))
	if err != nil || size <= b.maxObject() {
		return []monitoringv1.RuleGroup{rg}, err
	}
	// Compact JSON is the sum of its parts: an object with no rules, plus
	// each rule and its comma. Names of later parts are a few bytes longer.
	const longerNames = 2 * len("-999")
	envelope, err := limits.AppliedSize(b.prometheusRule(group, 1, monitoringv1.RuleGroup{Name: rg.Name}))
	if err != nil {
		return nil, err
	}
	sizes := make([]int, len(rg.Rules))
	for i, r := range rg.Rules {
		js, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		sizes[i] = len(js) + len(",")
	}
	ends, err := limits.Pack(sizes, b.maxObject()-envelope-longerNames)
	var big *limits.TooLargeError
	if errors.As(err, &big) {
		return nil, fmt.Errorf("rules: %s: alert %s alone is too large for a PrometheusRule (%d bytes)", PrometheusRulePath(group), rg.Rules[big.Index].Alert, big.Size)
	}
	var parts []monitoringv1.RuleGroup
	start := 0
	for i, end := range ends {
		name := rg.Name
		if i > 0 {
			name += "-" + strconv.Itoa(i+1)
		}
		parts = append(parts, monitoringv1.RuleGroup{Name: name, Rules: rg.Rules[start:end]})
		start = end
	}
	return parts, nil
}

// yamlFile marshals v with the generated-file header.
func yamlFile(path string, v any) (output.File, error) {
	y, err := yaml.Marshal(v)
	if err != nil {
		return output.File{}, fmt.Errorf("rules: %s: %w", path, err)
	}
	return output.File{Path: path, Content: append([]byte(output.Header("#")), y...)}, nil
}
