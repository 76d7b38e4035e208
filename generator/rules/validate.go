package rules

import (
	"errors"
	"fmt"
	"log/slog"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/internal/promqlx"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/series"
)

// promqlParser parses as `promtool check rules` does without feature flags.
var promqlParser = parser.NewParser(parser.Options{})

var camelName = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

// MaxNameLen is the longest alert name crdmon generates.
const MaxNameLen = 40

// checkAlertName requires a CamelCase name of at most MaxNameLen characters.
func checkAlertName(name string) error {
	if !camelName.MatchString(name) || len(name) > MaxNameLen {
		return fmt.Errorf("alert name %q must be CamelCase and at most %d characters", name, MaxNameLen)
	}
	return nil
}

// Validate checks rule files (PrometheusRule objects, plain rule files, and
// promtool test files) as Prometheus would load them: each group passes
// rulefmt exactly as `promtool check rules` runs it, each expression parses,
// each metric a rule reads is a family crdmon's kube-state-metrics config
// can produce (whatever the kinds: the pack reads them all), a recording
// rule of files or the override table, or controller-runtime's; alert names
// are CamelCase and at most MaxNameLen long; no rule is given twice;
// severities are known; test files reference rule files and alerts that
// exist. The error lists every problem, naming file, group and rule.
func Validate(files []output.File, prefix string) error {
	return validate(files, prefix)
}

func validate(files []output.File, prefix string) error {
	v := validator{prefix: prefix, recorded: map[string]bool{OverrideMetric: true, health.OverridePhase: true}, alerts: map[string]bool{}, files: map[string]bool{}, broken: map[string]bool{}}
	type parsed struct {
		path   string
		groups *rulefmt.RuleGroups
	}
	var rules []parsed
	var tests []output.File
	for _, f := range files {
		v.files[f.Path] = true
		if strings.HasSuffix(f.Path, ".test.yaml") {
			tests = append(tests, f)
			continue
		}
		g, err := v.parse(f)
		if err != nil {
			v.errs = append(v.errs, err)
			v.broken[f.Path] = true
			continue
		}
		rules = append(rules, parsed{f.Path, g})
		for _, rg := range g.Groups {
			for _, r := range rg.Rules {
				if r.Record != "" {
					v.recorded[r.Record] = true
				}
			}
		}
	}
	for _, p := range rules {
		v.checkGroups(p.path, p.groups)
	}
	for _, f := range tests {
		v.checkTest(f)
	}
	return errors.Join(v.errs...)
}

type validator struct {
	prefix   string
	recorded map[string]bool
	alerts   map[string]bool // "<rule file path>\x00<alert>"
	files    map[string]bool
	broken   map[string]bool // rule files that did not parse
	errs     []error
}

func (v *validator) fail(format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf(format, args...))
}

// parse reads a rule file with rulefmt, extracting the groups of a PrometheusRule first.
func (v *validator) parse(f output.File) (*rulefmt.RuleGroups, error) {
	content := f.Content
	var head struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(content, &head); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	if head.Kind == monitoringv1.PrometheusRuleKind {
		var pr monitoringv1.PrometheusRule
		if err := yaml.UnmarshalStrict(content, &pr); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		if strings.Contains(string(content), "creationTimestamp: null") {
			return nil, fmt.Errorf("%s: creationTimestamp: null in output", f.Path)
		}
		b, err := yaml.Marshal(plainFile{Groups: pr.Spec.Groups})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		content = b
	}
	logger := slog.New(slog.DiscardHandler)
	g, errs := rulefmt.Parse(content, false, prommodel.UTF8Validation, promqlParser, logger)
	if len(errs) > 0 {
		for i := range errs {
			errs[i] = fmt.Errorf("%s: %w", f.Path, errs[i])
		}
		return nil, errors.Join(errs...)
	}
	return g, nil
}

func (v *validator) checkGroups(file string, g *rulefmt.RuleGroups) {
	seen := map[string]bool{}
	for _, rg := range g.Groups {
		for _, r := range rg.Rules {
			name := r.Alert + r.Record
			where := fmt.Sprintf("%s: group %q: rule %q", file, rg.Name, name)
			if r.Alert != "" {
				v.alerts[file+"\x00"+r.Alert] = true
				if err := checkAlertName(r.Alert); err != nil {
					v.fail("%s: %w", where, err)
				}
				if s := r.Labels[LabelSeverity]; !slices.Contains(Severities, s) {
					v.fail("%s: severity %q: want one of %v", where, s, Severities)
				}
			}
			id := name + "\x00" + labels.FromMap(r.Labels).String() + "\x00" + r.Expr
			if seen[id] {
				v.fail("%s: duplicate rule (same name, labels and expression)", where)
			}
			seen[id] = true
			expr, err := promqlParser.ParseExpr(r.Expr)
			if err != nil {
				v.fail("%s: %w", where, err)
				continue
			}
			for _, vs := range promqlx.Selectors(expr) {
				if msg := v.checkSelector(vs); msg != "" {
					v.fail("%s: %s", where, msg)
				}
			}
		}
	}
}

// checkSelector explains why a selector reads a metric nothing produces, or returns "".
func (v *validator) checkSelector(vs *parser.VectorSelector) string {
	name := promqlx.MetricName(vs)
	if name == "" {
		return fmt.Sprintf("selector %s names no metric", vs)
	}
	if v.recorded[name] || slices.Contains(series.ControllerMetrics, name) {
		return ""
	}
	for _, f := range series.AllFamilies {
		if name == series.Name(v.prefix, f) {
			return ""
		}
	}
	return fmt.Sprintf("metric %s is not produced by crdmon's kube-state-metrics config, a recording rule, or controller-runtime", name)
}

// checkTest checks a promtool test file's structure and references.
func (v *validator) checkTest(f output.File) {
	var tf UnitTestFile
	if err := yaml.UnmarshalStrict(f.Content, &tf); err != nil {
		v.fail("%s: %w", f.Path, err)
		return
	}
	var ruleFiles []string
	for _, rf := range tf.RuleFiles {
		p := path.Join(path.Dir(f.Path), rf)
		if !v.files[p] {
			v.fail("%s: rule file %s (%s) is not among the rendered files", f.Path, rf, p)
		}
		if v.broken[p] {
			return // already reported
		}
		ruleFiles = append(ruleFiles, p)
	}
	sort.Strings(ruleFiles)
	for _, tg := range tf.Tests {
		for _, in := range tg.InputSeries {
			if _, err := promqlParser.ParseMetric(in.Series); err != nil {
				v.fail("%s: test %q: series %s: %w", f.Path, tg.Name, in.Series, err)
			}
		}
		for _, at := range tg.AlertTests {
			found := false
			for _, rf := range ruleFiles {
				found = found || v.alerts[rf+"\x00"+at.Alertname]
			}
			if !found {
				v.fail("%s: test %q: alert %s is in none of its rule files", f.Path, tg.Name, at.Alertname)
			}
		}
	}
}

// UnsilencedSelectors returns the vector selectors of an alert expression
// that decide what it alerts on, leaving out those that only silence it
// (see promqlx.Unsilenced); prefix is the metric prefix it was written with.
func UnsilencedSelectors(expr parser.Expr, prefix string) []*parser.VectorSelector {
	return promqlx.Unsilenced(expr, series.Name(prefix, series.Info))
}

// SourceSelectors returns the selectors of kube-state-metrics series an
// alert's expression reads, following the recorded series it reads through
// records (recording rule expressions by name) to the families that feed
// them (promqlx.Sources): what decides for which kinds the alert can fire.
func SourceSelectors(expr parser.Expr, records map[string]parser.Expr, prefix string) []*parser.VectorSelector {
	return promqlx.Sources(expr, records, series.Name(prefix, series.Info))
}

// AddRecord adds a recording rule's expression to records, by record name:
// several rules of one name (the override table's constant rows) are one
// "or", as Prometheus stores their series under that name.
func AddRecord(records map[string]parser.Expr, name string, expr parser.Expr) {
	if prev, ok := records[name]; ok {
		expr = &parser.BinaryExpr{Op: parser.LOR, LHS: prev, RHS: expr, VectorMatching: &parser.VectorMatching{Card: parser.CardManyToMany}}
	}
	records[name] = expr
}
