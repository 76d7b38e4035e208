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
