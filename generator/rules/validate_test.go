package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
)

func render(t *testing.T) []output.File {
	t.Helper()
	o := DefaultOptions()
	o.InferControllers = true
	files, err := Render(testModel(), o)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestValidateRejects breaks one rendered file at a time and checks that
// Validate names the file, the rule and the reason.
func TestValidateRejects(t *testing.T) {
	t.Parallel()
	plain, prule := PlainPath(PackName), PrometheusRulePath(PackName)
	cases := []struct {
		name, file, old, new string
		want                 []string
	}{
		{"unknown metric", plain, "kube_customresource_condition{", "kube_customresource_conditions{",
			[]string{plain, "crdmon:condition:polarity", "kube_customresource_conditions is not produced"}},
		{"bad duration", plain, "for: 1m", "for: 1 minute",
			[]string{plain, "1 minute"}},
		{"bad duration in PrometheusRule", prule, "for: 1m", "for: 1x",
			[]string{prule}},
		{"unparsable expr", plain, "> 900", "> > 900",
			[]string{plain, "CustomResourceNotReady"}},
		{"bad template", plain, "summary: A custom resource has a condition saying it is failing.", "summary: '{{ A custom'",
			[]string{plain, "CustomResourceFailing", "template"}},
		{"unknown field", plain, "    for: 1m", "    fore: 1m",
			[]string{plain, "fore"}},
		{"bad severity", plain, "severity: warning", "severity: page",
			[]string{plain, `severity "page"`}},
		{"long name", plain, "alert: CustomResourceFailing", "alert: CustomResourceFailingForAVeryVeryLongTimeIndeed",
			[]string{plain, "at most 40"}},
		{"creationTimestamp", prule, "metadata:\n", "metadata:\n  creationTimestamp: null\n",
			[]string{prule, "creationTimestamp"}},
		{"test of unknown alert", TestPath(PackName), "alertname: CustomResourceFailing", "alertname: CustomResourceGone",
			[]string{TestPath(PackName), "CustomResourceGone"}},
	}
	rendered := render(t)
	if err := Validate(rendered, DefaultOptions().Prefix); err != nil {
		t.Fatalf("valid files rejected: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := slices.Clone(rendered) // each case breaks its own copy
			found := false
			for i, f := range files {
				if f.Path == c.file {
					if !strings.Contains(string(f.Content), c.old) {
						t.Fatalf("%s lacks %q", f.Path, c.old)
					}
					files[i].Content = []byte(strings.Replace(string(f.Content), c.old, c.new, 1))
					found = true
				}
			}
			if !found {
				t.Fatalf("no file %s", c.file)
			}
			err := Validate(files, DefaultOptions().Prefix)
			if err == nil {
				t.Fatal("broken file accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestValidateWrongPrefix(t *testing.T) {
	t.Parallel()
	if err := Validate(render(t), "other_prefix"); err == nil || !strings.Contains(err.Error(), "kube_customresource_info is not produced") {
		t.Errorf("err = %v", err)
	}
}

func TestRenderRejectsBadOptions(t *testing.T) {
	for name, mut := range map[string]func(*Options){
		"format":       func(o *Options) { o.Format = "json" },
		"prefix":       func(o *Options) { o.Prefix = "kube-crd" },
		"severity":     func(o *Options) { o.Classes[PhaseFailed] = ClassSettings{Severity: "page", For: 1} },
		"for":          func(o *Options) { o.Classes[PhaseFailed] = ClassSettings{Severity: "info"} },
		"class":        func(o *Options) { o.Classes["Bogus"] = ClassSettings{} },
		"runbook":      func(o *Options) { o.RunbookURLTemplate = "[[ .Nope" },
		"runbook data": func(o *Options) { o.RunbookURLTemplate = "[[ .Nope ]]" },
		"override": func(o *Options) {
			o.OverrideFor = func(model.Kind) AlertSettings {
				return AlertSettings{ConditionNotTrue: {Severity: "loud", For: 60e9}}
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			o := DefaultOptions()
			mut(&o)
			if _, err := Render(testModel(), o); err == nil {
				t.Error("accepted")
			}
		})
	}
}
