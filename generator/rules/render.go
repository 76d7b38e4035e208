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
	"slices"
	"sort"
	"strconv"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	prommodel "github.com/prometheus/common/model"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/crdmon/crdmon/generator/limits"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/internal/parallel"
	"github.com/crdmon/crdmon/internal/shapes"
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

// Render renders and validates the rules for m, sorted by path.
func Render(m model.Model, o Options) ([]output.File, error) {
	var files output.Collector
	if err := RenderTo(m, o, files.Put); err != nil {
		return nil, err
	}
	return files.Sorted(), nil
}

// RenderTo renders and validates the rules for m, handing each API group's
// files to emit as soon as they have validated, in no particular order and
// from several goroutines at once, so they need not all be in memory.
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
	b := &builder{o: o, names: newNamer()}
	bySubject := subjects(m, o)
	groups := make([]string, 0, len(bySubject))
	for g := range bySubject {
		groups = append(groups, g)
	}
	sort.Strings(groups)

	// Alert names are unique across groups, handed out in group order; the
	// rest of each group's work is its own and runs in parallel, a batch of
	// groups at a time so that the rules of all groups are never in memory
	// at once.
	known := knownMetrics(m, o.Prefix)
	var validated shapes.Cache
	var work []groupRules
	render := func() error {
		err := parallel.Each(work, func(w groupRules) error {
			fs, err := b.renderGroup(w, known, &validated)
			if err != nil {
				return err
			}
			return emit.PutAll(fs)
		})
		work = work[:0]
		return err
	}
	for _, g := range groups {
		kinds := kindsOf(m, g)
		mark := b.names.mark()
		rg, alerts, err := b.group(g, bySubject[g], set)
		if err != nil {
			return err
		}
		if len(alerts) == 0 && !slices.ContainsFunc(kinds.Kinds, model.Kind.HasSignals) {
			continue // nothing to alert on, no state to record
		}
		if o.Granularity == PerKind {
			size, err := limits.AppliedSize(b.prometheusRule(g, 1, rg))
			if err != nil {
				return err
			}
			if size > b.maxObject() {
				// Too big for one object: alert per group and signal, as
				// --granularity group does, for this group only.
				b.names.rollback(mark)
				perGroup := o
				perGroup.Granularity = PerGroup
				if rg, alerts, err = b.group(g, subjects(kinds, perGroup)[g], set); err != nil {
					return err
				}
			}
		}
		work = append(work, groupRules{group: g, rules: rg, alerts: alerts, kinds: kinds.Kinds})
		if len(work) == renderBatch {
			if err := render(); err != nil {
				return err
			}
		}
	}
	return render()
}

// renderBatch is how many API groups' rules are rendered side by side.
const renderBatch = 64

// groupRules are the alerting rules of one API group and its kinds.
type groupRules struct {
	group  string
	rules  monitoringv1.RuleGroup
	alerts []alert
	kinds  []model.Kind
}

// renderGroup writes the files of one API group and validates them. Groups
// of one shape (the same files but for the names of the group, its kinds,
// alerts and controllers, whose kinds produce the same metrics) are
// validated once; the checks on what a name is (alert names) run for each.
func (b *builder) renderGroup(w groupRules, known knownSeries, validated *shapes.Cache) ([]output.File, error) {
	docs, err := b.documents(w.group, w.rules, w.alerts, b.healthGroup(w.group, w.kinds))
	if err != nil {
		return nil, err
	}
	// Each document is encoded to JSON once: for its YAML and its shape.
	js, err := encode(docs)
	if err != nil {
		return nil, err
	}
	fs := make([]output.File, len(docs))
	for i, d := range docs {
		if fs[i], err = yamlFile(d.path, js[i]); err != nil {
			return nil, err
		}
	}
	for _, a := range w.alerts {
		if err := checkAlertName(a.name); err != nil {
			return nil, fmt.Errorf("rules: %s: %w", PlainPath(w.group), err)
		}
	}
	names, content := shape(w, docs, js)
	err = validated.Validate(names, func() error { return validate(fs, known) }, content...)
	return fs, err
}

// shape is what sets a group's files apart from others of the same shape:
// its names (group, alerts, controllers, kinds); and what the shape is made
// of: the documents and the metric families of each kind, which the
// validation checks the rules against. Documents count as JSON, not as
// the YAML written: YAML folds long lines at a width, so names of other
// lengths would fold them elsewhere, and the YAML encoder writes any
// document faithfully. js holds the documents encoded to JSON.
func shape(w groupRules, docs []document, js [][]byte) (names []string, content [][]byte) {
	names = []string{w.group}
	var controllers []string
	for _, a := range w.alerts {
		names = append(names, a.name)
		for _, c := range a.data.Controllers {
			if !slices.Contains(controllers, c) {
				controllers = append(controllers, c)
			}
		}
	}
	names = append(names, controllers...)
	var families strings.Builder
	for _, k := range w.kinds {
		names = append(names, k.Kind)
		fmt.Fprintf(&families, "%s: %s\n", k.Kind, strings.Join(series.Families(k), " "))
	}
	for i, d := range docs {
		content = append(content, []byte(d.path), js[i])
	}
	return names, append(content, []byte(families.String()))
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
		if name == AnnotationDescription && a.data.Learned != "" {
			text = strings.TrimSpace(text + " " + a.data.Learned)
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

// document is one file to write: its path and what it holds.
type document struct {
	path string
	v    any
}

// documents are the files of an API group: its PrometheusRule objects, plain
// rule file and promtool test file, as Options.Format asks.
func (b *builder) documents(group string, rg monitoringv1.RuleGroup, alerts []alert, hg healthGroup) ([]document, error) {
	var out []document
	groups := []monitoringv1.RuleGroup{rg, hg.rules}
	if len(rg.Rules) == 0 {
		groups = groups[1:] // every alert disabled: the health state only
	}
	if b.o.Format != FormatPlain {
		parts := [][]monitoringv1.RuleGroup{groups}
		if len(rg.Rules) > 0 {
			split, err := b.split(group, rg)
			if err != nil {
				return nil, err
			}
			if parts, err = b.withHealth(group, split, hg.rules); err != nil {
				return nil, err
			}
		}
		for i, part := range parts {
			out = append(out, document{partPath(group, i+1), b.prometheusRule(group, i+1, part[0], part[1:]...)})
		}
	}
	if b.o.Format != FormatPrometheusRule {
		tf, err := b.testFile(group, rg, alerts, hg)
		if err != nil {
			return nil, err
		}
		out = append(out,
			document{PlainPath(group), plainFile{Groups: groups}},
			document{TestPath(group), tf})
	}
	return out, nil
}

// prometheusRule is the PrometheusRule object of part (from 1) of a group's
// rules: one rule group, or several.
func (b *builder) prometheusRule(group string, part int, rg monitoringv1.RuleGroup, more ...monitoringv1.RuleGroup) *monitoringv1.PrometheusRule {
	name := "crdmon-" + group
	if part > 1 {
		name += "-" + strconv.Itoa(part)
	}
	return &monitoringv1.PrometheusRule{
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

// yamlFile is the file at path holding the JSON document js as YAML, with
// the generated-file header (and js, for its size checks).
func yamlFile(path string, js []byte) (output.File, error) {
	content, err := output.AppendJSONToYAML([]byte(output.Header("#")), js)
	if err != nil {
		return output.File{}, fmt.Errorf("rules: %s: %w", path, err)
	}
	return output.File{Path: path, Content: content, JSON: [][]byte{js}}, nil
}
