package config

import (
	"strings"
	"testing"
	"time"

	"github.com/crdmon/crdmon/generator/model"
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"90s": 90 * time.Second, "15m": 15 * time.Minute, "1h30m": 90 * time.Minute, "1d": 24 * time.Hour, "2d6h": 54 * time.Hour,
	} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0s", "-5m", "ten minutes", "xd"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}

func TestStrictErrors(t *testing.T) {
	cases := map[string]string{
		"apiVersion: v1\nkind: Config\n": "want apiVersion: crdmon.dev/v1alpha1",
		"apiVersion: crdmon.dev/v1alpha1\nkind: Config\ndefaults:\n  granularity: namespace\n":                      "granularity",
		"apiVersion: crdmon.dev/v1alpha1\nkind: Config\nkinds:\n  - kind: '['\n":                                    "bad glob",
		"apiVersion: crdmon.dev/v1alpha1\nkind: Config\nkinds:\n  - conditions: {Ready: good}\n":                    "want positive, negative",
		"apiVersion: crdmon.dev/v1alpha1\nkind: Config\nkinds:\n  - phases: [{field: spec.mode}]\n":                 "under status",
		"apiVersion: crdmon.dev/v1alpha1\nkind: Config\ndefaults:\n  alerts:\n    PhaseFailed: {severity: page}\n":  "severity",
		"apiVersion: crdmon.dev/v1alpha1\nkind: Config\ndefaults:\n  alerts:\n    ExpiresSoon: {threshold: soon}\n": "crdmon.yaml:5: threshold: want a number or a duration such as 14d",
		"apiVersion: crdmon.dev/v1alpha1\nkind: Config\nextra: 1\n":                                                 "crdmon.yaml:3: field extra is not a known key of File",
		"": "empty file",
	}
	for in, want := range cases {
		if _, err := Parse("crdmon.yaml", []byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error = %v, want %q", in, err, want)
		}
	}
}

// A threshold is a number, or a duration read as seconds.
func TestThresholds(t *testing.T) {
	f, err := Parse("crdmon.yaml", []byte("apiVersion: crdmon.dev/v1alpha1\nkind: Config\ndefaults:\n  alerts:\n"+
		"    ExpiresSoon: {threshold: 30d}\n    RenewalOverdue: {threshold: 2h30m}\n    ControllerErrors: {threshold: 0.25}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for class, want := range map[string]Threshold{"ExpiresSoon": 30 * 86400, "RenewalOverdue": 9000, "ControllerErrors": 0.25} {
		if got := f.Defaults.Alerts[class].Threshold; got == nil || *got != want {
			t.Errorf("%s threshold = %v, want %v", class, got, want)
		}
	}
}

func TestApplyToModel(t *testing.T) {
	f, err := Parse("crdmon.yaml", []byte(`apiVersion: crdmon.dev/v1alpha1
kind: Config
kinds:
  - group: "*.example.com"
    conditions: {Flooded: negative, Ready: neutral}
    phases: [{field: status.phase, failure: [Lost]}, {field: status.stage, failure: [Broken]}]
    controllers: [dbs]
    alerts: {PhaseFailed: {for: 1h}}
  - kind: database
    alerts: {PhaseFailed: {severity: info}}
  - group: other.io
`))
	if err != nil {
		t.Fatal(err)
	}
	k := model.Kind{Group: "db.example.com", Kind: "Database",
		Conditions: []model.ConditionSet{{KnownTypes: []string{"Ready"}}},
		Phases:     []model.Phase{{Field: model.Field{SchemaPath: "status.phase"}, Values: []string{"Ok", "Lost"}}}}
	m := model.Model{Kinds: []model.Kind{k}}
	warnings := f.ApplyToModel(&m)
	if len(warnings) != 1 || !strings.Contains(warnings[0], `kinds[2] (group "other.io", kind "*") matches no kind`) {
		t.Errorf("warnings = %q", warnings)
	}
	got := m.Kinds[0]
	if got.PolarityOf("Flooded") != model.Negative || got.PolarityOf("Ready") != model.Neutral || got.PolarityOf("Stalled") != model.Negative {
		t.Errorf("polarity = %v", got.Polarity)
	}
	if strings.Join(got.Conditions[0].KnownTypes, ",") != "Flooded,Ready" {
		t.Errorf("known types = %v", got.Conditions[0].KnownTypes)
	}
	if len(got.Phases) != 2 || got.Phases[0].Failure[0] != "Lost" || got.Phases[1].SchemaPath != "status.stage" || strings.Join(got.Phases[1].Path, ".") != "status.stage" {
		t.Errorf("phases = %+v", got.Phases)
	}
	alerts := f.AlertsFor(got)
	if a := alerts["PhaseFailed"]; a.For != "1h" || a.Severity != "info" {
		t.Errorf("merged alert = %+v", a)
	}
	if c := f.ControllersFor(got); len(c) != 1 || c[0] != "dbs" {
		t.Errorf("controllers = %v", c)
	}
}

// Declared signals are checked strictly, each error at the signal's line.
func TestSignalErrors(t *testing.T) {
	head := "apiVersion: crdmon.dev/v1alpha1\nkind: Config\nkinds:\n  - group: example.com\n    signals:\n"
	cases := map[string]string{
		"      - {field: status.violations, meaning: bad-count}\n":                                                  `crdmon.yaml:6: kinds[0].signals[0]: meaning "bad-count": want one of condition-list, phase,`,
		"      - {field: status.ok, meaning: phase}\n      - {field: violations, meaning: problem-count}\n":         `crdmon.yaml:7: kinds[0].signals[1]: field "violations": want a dotted path under status`,
		"      - {field: spec.size, meaning: problem-count}\n":                                                      `crdmon.yaml:6: kinds[0].signals[0]: field "spec.size": want a dotted path under status`,
		"      - {field: 'status.items[]', meaning: condition-list}\n":                                              "ends in a list element",
		"      - {field: status.a..b, meaning: phase}\n":                                                            `segment "" is not a field name`,
		"      - {field: 'status.a[0].b', meaning: phase}\n":                                                        `segment "a[0]" is not a field name (write list elements as name[])`,
		"      - {field: status.ready, meaning: bool-healthy, failure: [\"false\"]}\n":                              "failure, progress and suspended values are for meaning phase, not bool-healthy",
		"      - {field: status.x, meaning: phase}\n      - {field: status.x, meaning: expiry}\n":                   "crdmon.yaml:7: kinds[0].signals[1]: field status.x is declared twice",
		"      - {field: status.phase, meaning: phase}\n      - {field: status.readyNodes, meaning: ready-count}\n": "crdmon.yaml:7: kinds[0].signals: ready-count without desired-count: declare both in the same rule",
		"      - {field: status.x, meaning: phase, colour: red}\n":                                                  "crdmon.yaml:6: field colour is not a known key of SignalRule",
	}
	for in, want := range cases {
		if _, err := Parse("crdmon.yaml", []byte(head+in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error = %v, want %q", in, err, want)
		}
	}
}

// Declared signals land in the model marked with their line, replace a
// detected signal at the same path, and a later rule's declaration wins.
func TestApplySignals(t *testing.T) {
	f, err := Parse("crdmon.yaml", []byte(`apiVersion: crdmon.dev/v1alpha1
kind: Config
kinds:
  - group: policy.example.com
    kind: "*"
    signals:
      - field: status.totalViolations
        meaning: problem-count
      - {field: "status.byPod[].enforced", meaning: bool-healthy}
      - {field: "status.parents[].conditions", meaning: condition-list}
      - {field: status.stage, meaning: phase, failure: [Broken], progress: [Building]}
      - {field: spec.size, meaning: desired-count}
      - {field: status.readyMembers, meaning: ready-count}
      - {field: status.seenGeneration, meaning: observed-generation}
      - {field: status.certificate.notAfter, meaning: expiry}
      - {field: status.retries, meaning: failure-count}
  - kind: Strict*
    signals:
      - {field: status.stage, meaning: phase, failure: [Lost]}
`))
	if err != nil {
		t.Fatal(err)
	}
	detected := model.Kind{Group: "policy.example.com", Kind: "StrictLabels",
		Phases:   []model.Phase{{Field: model.Field{Path: []string{"status", "stage"}, SchemaPath: "status.stage", Rule: "state-field"}}},
		Replicas: &model.Replicas{Desired: model.Field{SchemaPath: "spec.replicas"}, Ready: model.Field{SchemaPath: "status.readyMembers"}},
	}
	m := model.Model{Kinds: []model.Kind{{Group: "policy.example.com", Kind: "Labels"}, detected}}
	if w := f.ApplyToModel(&m); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
	plain, strict := m.Kinds[0], m.Kinds[1]
	want := func(what string, f model.Field, path string, line int) {
		t.Helper()
		if f.SchemaPath != path || f.Rule != model.RuleDeclared || f.Line != line || !f.Declared() {
			t.Errorf("%s = %+v, want %s declared at line %d", what, f, path, line)
		}
	}
	want("problems", plain.Problems[0], "status.totalViolations", 7)
	if strings.Join(plain.Problems[0].Path, ".") != "status.totalViolations" {
		t.Errorf("problems path = %v", plain.Problems[0].Path)
	}
	if len(plain.Conditions) != 1 || plain.Conditions[0].Scope != "status.parents[0]" ||
		strings.Join(plain.Conditions[0].Path, ".") != "status.parents.0.conditions" || !plain.Conditions[0].HasStatus {
		t.Errorf("conditions = %+v", plain.Conditions)
	}
	want("conditions", plain.Conditions[0].Field, "status.parents[].conditions", 10)
	if len(plain.Phases) != 2 || strings.Join(plain.Phases[0].Path, ".") != "status.byPod.0.enforced" ||
		strings.Join(plain.Phases[0].Progress, ",") != "false" || plain.Phases[1].Failure[0] != "Broken" || plain.Phases[1].Progress[0] != "Building" {
		t.Errorf("phases = %+v", plain.Phases)
	}
	want("desired", plain.Replicas.Desired, "spec.size", 12)
	want("ready", plain.Replicas.Ready, "status.readyMembers", 13)
	want("generation", plain.Generation.Observed, "status.seenGeneration", 14)
	if ts := plain.Timestamps; len(ts) != 1 || ts[0].Meaning != model.Expiry || strings.Join(ts[0].Path, ".") != "status.certificate.notAfter" {
		t.Errorf("timestamps = %+v", ts)
	}
	want("failures", plain.Failures[0], "status.retries", 16)

	// The detected phase at status.stage gave way to the first rule's, which
	// gave way to the second rule's; the detected replicas, sharing a path
	// with the declared ones, were replaced.
	if len(strict.Phases) != 2 || strict.Phases[1].SchemaPath != "status.stage" || strings.Join(strict.Phases[1].Failure, ",") != "Lost" {
		t.Errorf("strict phases = %+v", strict.Phases)
	}
	want("strict phase", strict.Phases[1].Field, "status.stage", 19)
	want("strict desired", strict.Replicas.Desired, "spec.size", 12)
}

// A rule with a version declares the kinds of its group when the input has
// none of them (they are created at run time): one wildcard kind, sorted in
// with the others, carrying the signals of every rule that matches it.
func TestWildcardKind(t *testing.T) {
	f, err := Parse("gk.yaml", []byte(`apiVersion: crdmon.dev/v1alpha1
kind: Config
kinds:
  - group: constraints.example.org
    kind: "*"
    version: v1beta1
    signals:
      - {field: status.totalViolations, meaning: problem-count}
  - kind: "*"
    conditions: {Flooded: negative}
    signals:
      - {field: status.lastRun, meaning: renewal}
`))
	if err != nil {
		t.Fatal(err)
	}
	m := model.Model{Kinds: []model.Kind{{Group: "a.example.org", Kind: "Alpha"}, {Group: "z.example.org", Kind: "Zed"}}}
	if w := f.ApplyToModel(&m); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
	if len(m.Kinds) != 3 {
		t.Fatalf("kinds = %+v", m.Kinds)
	}
	k := m.Kinds[1]
	if !k.Wildcard() || k.Group != "constraints.example.org" || k.Version != "v1beta1" || k.Plural != "" || !k.Namespaced ||
		k.Source != (model.Source{File: "gk.yaml", Line: 4}) {
		t.Errorf("wildcard kind = %+v", k)
	}
	if len(k.Problems) != 1 || len(k.Timestamps) != 1 || k.PolarityOf("Flooded") != model.Negative {
		t.Errorf("wildcard kind signals = %+v", k)
	}

	// With a kind of the group in the input, the rule applies to it instead.
	m = model.Model{Kinds: []model.Kind{{Group: "constraints.example.org", Kind: "RequiredLabels"}}}
	f.ApplyToModel(&m)
	if len(m.Kinds) != 1 || len(m.Kinds[0].Problems) != 1 {
		t.Errorf("kinds = %+v", m.Kinds)
	}

	for _, bad := range []string{
		"  - {group: '*.example.org', kind: '*', version: v1, signals: [{field: status.x, meaning: problem-count}]}\n",
		"  - {group: constraints.example.org, kind: Required*, version: v1, signals: [{field: status.x, meaning: problem-count}]}\n",
		"  - {group: constraints.example.org, kind: '*', version: v1}\n",
	} {
		_, err := Parse("gk.yaml", []byte("apiVersion: crdmon.dev/v1alpha1\nkind: Config\nkinds:\n"+bad))
		if err == nil || !strings.Contains(err.Error(), `gk.yaml:4: kinds[0].version: declares the kinds of a group that no input may show, so it needs an exact group, kind "*" and signals`) {
			t.Errorf("%s: error = %v", bad, err)
		}
	}
}

// A declared signal at the path of a detected replica family member takes
// its place: the member is dropped, the pair and other members stay.
func TestDeclaredSignalReplacesFamilyMember(t *testing.T) {
	f, err := Parse("crdmon.yaml", []byte(`apiVersion: crdmon.dev/v1alpha1
kind: Config
kinds:
  - kind: Pool
    signals:
      - {field: status.updatedMembers, meaning: failure-count}
`))
	if err != nil {
		t.Fatal(err)
	}
	updated := model.Field{Path: []string{"status", "updatedMembers"}, SchemaPath: "status.updatedMembers", Rule: "replica-family"}
	current := model.Field{Path: []string{"status", "members"}, SchemaPath: "status.members", Rule: "replica-family"}
	m := model.Model{Kinds: []model.Kind{{Group: "example.com", Kind: "Pool", Replicas: &model.Replicas{
		Desired: model.Field{SchemaPath: "spec.members"}, Ready: model.Field{SchemaPath: "status.readyMembers"},
		Current: &current, Updated: &updated,
	}}}}
	f.ApplyToModel(&m)
	r := m.Kinds[0].Replicas
	if r == nil || r.Updated != nil || r.Current == nil || len(m.Kinds[0].Failures) != 1 {
		t.Errorf("replicas = %+v, failures = %+v; want the updated member replaced by the failure counter", r, m.Kinds[0].Failures)
	}
}
