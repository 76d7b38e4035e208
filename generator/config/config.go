// Package config reads crdmon.yaml, the overrides file: defaults and
// per-kind settings for alerts, labels, controllers and dashboards, and extra
// signals the schema cannot reveal. It is decoded strictly: an unknown key is
// an error with its line.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	yamlv3 "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/crdmon/crdmon/generator/model"
)

// APIVersion and Kind identify an overrides file.
const (
	APIVersion = "crdmon.dev/v1alpha1"
	Kind       = "Config"
)

// File is crdmon.yaml.
type File struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Defaults   Defaults   `yaml:"defaults"`
	Kinds      []KindRule `yaml:"kinds"`

	name string // the file's name, as given
}

// Defaults apply to every kind.
type Defaults struct {
	Prefix          string            `yaml:"prefix"`          // metric name prefix
	Granularity     string            `yaml:"granularity"`     // deprecated and ignored: "kind" or "group"
	Alerts          map[string]Alert  `yaml:"alerts"`          // per alert class
	Labels          map[string]string `yaml:"labels"`          // extra labels on every alert
	Annotations     map[string]string `yaml:"annotations"`     // extra annotations on every alert
	RunbookURL      string            `yaml:"runbookURL"`      // runbook URL template
	RuleSelector    map[string]string `yaml:"ruleSelector"`    // labels on PrometheusRule objects
	RuleNamespace   string            `yaml:"ruleNamespace"`   // namespace of PrometheusRule objects
	DashboardFolder string            `yaml:"dashboardFolder"` // Grafana folder of the dashboards
}

// Alert tunes one alert class; unset fields keep their defaults.
type Alert struct {
	Disabled  *bool      `yaml:"disabled"`
	Severity  string     `yaml:"severity"`
	For       string     `yaml:"for"`       // Prometheus duration, e.g. 15m
	Threshold *Threshold `yaml:"threshold"` // controller and timestamp alerts only
}

// Threshold is an alert class's numeric limit: a number, or a Prometheus
// duration such as 14d read as seconds (the unit of the timestamp classes'
// thresholds and of ControllerSlow's).
type Threshold float64

// UnmarshalYAML reads a number or a duration.
func (t *Threshold) UnmarshalYAML(n *yamlv3.Node) error {
	var f float64
	if n.Decode(&f) == nil {
		*t = Threshold(f)
		return nil
	}
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	d, err := ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: threshold: want a number or a duration such as 14d, got %q", n.Line, s) // Parse reads the line back
	}
	*t = Threshold(d.Seconds())
	return nil
}

// KindRule applies to the kinds whose group and kind match its globs.
type KindRule struct {
	Group string `yaml:"group"` // glob, default "*"
	Kind  string `yaml:"kind"`  // glob, case-insensitive, default "*"
	// Version, with an exact group, kind "*" and signals, declares the
	// group's kinds even when no input CRD is one of them (kinds created at
	// run time): a wildcard kind watched at this version.
	Version     string            `yaml:"version"`
	Alerts      map[string]Alert  `yaml:"alerts"`
	Controllers []string          `yaml:"controllers"` // controller-runtime controller names
	Conditions  map[string]string `yaml:"conditions"`  // condition type → positive|negative|progress|neutral
	Phases      []PhaseRule       `yaml:"phases"`
	Signals     []SignalRule      `yaml:"signals"` // signals no schema shows

	line int
}

// PhaseRule declares a string field to be a phase, and its failure values.
type PhaseRule struct {
	Field   string   `yaml:"field"`   // schema path, e.g. status.phase
	Failure []string `yaml:"failure"` // values that mean failure
}

// Error is a problem in the overrides file, located by line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Read decodes and checks an overrides file.
func Read(file string) (*File, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, &Error{File: file, Msg: err.Error()}
	}
	return Parse(file, data)
}

// Parse decodes and checks overrides from memory; file names it in errors.
func Parse(file string, data []byte) (*File, error) {
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Msg: "empty file"}
		}
		return nil, yamlErr(file, err)
	}
	var root yamlv3.Node
	if err := yamlv3.Unmarshal(data, &root); err == nil && len(root.Content) > 0 {
		recordLines(&f, root.Content[0])
	}
	f.name = file
	if f.APIVersion != APIVersion || f.Kind != Kind {
		return nil, &Error{File: file, Line: 1, Msg: fmt.Sprintf("want apiVersion: %s and kind: %s, got %q and %q", APIVersion, Kind, f.APIVersion, f.Kind)}
	}
	return &f, f.check(file)
}

// yamlErr turns "yaml: line 7: field x not found in type config.Alert" into file:7: ...
func yamlErr(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	line := 0
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	msg = strings.Replace(msg, "not found in type config.", "is not a known key of ", 1)
	return &Error{File: file, Line: line, Msg: msg}
}

// recordLines remembers the line of each kinds entry and of each of its
// signals, for errors, warnings and crdmon inspect.
func recordLines(f *File, doc *yamlv3.Node) {
	for j, item := range value(doc, "kinds") {
		if j >= len(f.Kinds) {
			break
		}
		k := &f.Kinds[j]
		k.line = item.Line
		for i, s := range value(item, "signals") {
			if i < len(k.Signals) {
				k.Signals[i].line = s.Line
			}
		}
	}
}

// value returns the items of a mapping node's key.
func value(mapping *yamlv3.Node, key string) []*yamlv3.Node {
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == key {
			return mapping.Content[i+1].Content
		}
	}
	return nil
}

// Classes are the alert class names an overrides file may set.
var Classes = []string{
	"ConditionNotTrue", "NegativeCondition", "ProgressTooLong", "ReplicasMismatch", "ReplicasUnavailable", "RolloutNotConverging",
	"GenerationLag", "PhaseFailed", "ExpiresSoon", "ExpiresVerySoon", "RenewalOverdue", "FailuresRising", "ProblemCount", "ControllerErrors", "ControllerSlow", "WorkqueueDepth",
}

func (f *File) check(file string) error {
	bad := func(line int, format string, args ...any) error {
		return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if g := f.Defaults.Granularity; g != "" && g != "kind" && g != "group" {
		return bad(0, "defaults.granularity %q: want kind or group", g)
	}
	if err := checkAlerts(f.Defaults.Alerts); err != nil {
		return bad(0, "defaults.alerts: %v", err)
	}
	for i, k := range f.Kinds {
		where := fmt.Sprintf("kinds[%d]", i)
		for _, g := range []string{k.Group, k.Kind} {
			if _, err := path.Match(g, ""); err != nil {
				return bad(k.line, "%s: bad glob %q", where, g)
			}
		}
		if err := checkAlerts(k.Alerts); err != nil {
			return bad(k.line, "%s.alerts: %v", where, err)
		}
		for t, p := range k.Conditions {
			switch model.Polarity(p) {
			case model.Positive, model.Negative, model.Progress, model.Neutral:
			default:
				return bad(k.line, "%s.conditions.%s: %q: want positive, negative, progress or neutral", where, t, p)
			}
		}
		for _, p := range k.Phases {
			if !strings.HasPrefix(p.Field, "status.") || strings.Contains(p.Field, "[") {
				return bad(k.line, "%s.phases: field %q: want a dotted path under status, e.g. status.phase", where, p.Field)
			}
		}
		if line, err := checkSignals(k.Signals, where); err != nil {
			return bad(line, "%v", err)
		}
		if k.Version != "" && (k.Group == "" || strings.ContainsAny(k.Group, "*?[\\") || k.Kind != model.AnyKind || len(k.Signals) == 0) {
			return bad(k.line, "%s.version: declares the kinds of a group that no input may show, so it needs an exact group, kind \"*\" and signals", where)
		}
	}
	return nil
}

func checkAlerts(alerts map[string]Alert) error {
	for name, a := range alerts {
		if !slices.Contains(Classes, name) {
			return fmt.Errorf("unknown alert class %q (known: %s)", name, strings.Join(Classes, ", "))
		}
		if a.Severity != "" && a.Severity != "critical" && a.Severity != "warning" && a.Severity != "info" {
			return fmt.Errorf("%s.severity %q: want critical, warning or info", name, a.Severity)
		}
		if a.For != "" {
			if _, err := ParseDuration(a.For); err != nil {
				return fmt.Errorf("%s.for: %v", name, err)
			}
		}
	}
	return nil
}

// ParseDuration parses a Prometheus duration such as 90s, 15m, 1h30m or 1d.
func ParseDuration(s string) (time.Duration, error) {
	days := time.Duration(0)
	if i := strings.Index(s, "d"); i > 0 {
		var n int
		if _, err := fmt.Sscanf(s[:i], "%d", &n); err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d+days <= 0 {
		return 0, fmt.Errorf("bad duration %q: want e.g. 90s, 15m, 1h", s)
	}
	return d + days, nil
}

// Matches reports whether a kind rule applies to k.
func (k KindRule) Matches(kind model.Kind) bool {
	return glob(k.Group, kind.Group, false) && glob(k.Kind, kind.Kind, true)
}

func glob(pattern, s string, fold bool) bool {
	if pattern == "" {
		return true
	}
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	ok, _ := path.Match(pattern, s)
	return ok
}
