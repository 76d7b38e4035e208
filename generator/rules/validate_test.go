package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/internal/shapes"
	"github.com/crdmon/crdmon/templates"
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
	plain, prule := PlainPath("cert-manager.io"), PrometheusRulePath("cert-manager.io")
	cases := []struct {
		name, file, old, new string
		want                 []string
	}{
		{"unknown metric", plain, "kube_customresource_condition{", "kube_customresource_conditions{",
			[]string{plain, "CertificateNotReady", "kube_customresource_conditions is not produced"}},
		{"metric of another kind", plain, `customresource_kind="Certificate", type="Ready"`, `customresource_kind="Issuer", type="Ready"`,
			[]string{plain, "CertificateNotReady", "not produced for group cert-manager.io, kind Issuer"}},
		{"family the kind lacks", plain, "kube_customresource_condition{", "kube_customresource_phase_info{",
			[]string{plain, "kube_customresource_phase_info is not produced for group cert-manager.io"}},
		{"bad duration", plain, "for: 1m", "for: 1 minute",
			[]string{plain, "1 minute"}},
		{"bad duration in PrometheusRule", prule, "for: 1m", "for: 1x",
			[]string{prule}},
		{"unparsable expr", plain, "> 900", "> > 900",
			[]string{plain, "CertificateNotReady"}},
		{"bad template", plain, "summary: A Certificate has not been Ready for more than 15m.", "summary: '{{ A Certificate'",
			[]string{plain, "CertificateNotReady", "template"}},
		{"unknown field", plain, "    for: 1m", "    fore: 1m",
			[]string{plain, "fore"}},
		{"bad severity", plain, "severity: warning", "severity: page",
			[]string{plain, `severity "page"`}},
		{"long name", plain, "alert: CertificateNotReady", "alert: CertificateNotReadyForAVeryVeryLongTimeIndeed",
			[]string{plain, "at most 40"}},
		{"duplicate", plain, "alert: CertificateReconcileErrors", "alert: CertificateNotReady",
			[]string{plain, "duplicate"}},
		{"creationTimestamp", prule, "metadata:\n", "metadata:\n  creationTimestamp: null\n",
			[]string{prule, "creationTimestamp"}},
		{"test of unknown alert", TestPath("cert-manager.io"), "alertname: CertificateNotReady", "alertname: CertificateGone",
			[]string{TestPath("cert-manager.io"), "CertificateGone"}},
	}
	rendered := render(t)
	if err := Validate(rendered, testModel(), DefaultOptions().Prefix); err != nil {
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
			err := Validate(files, testModel(), DefaultOptions().Prefix)
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
	if err := Validate(render(t), testModel(), "other_prefix"); err == nil || !strings.Contains(err.Error(), "kube_customresource_info is not produced") {
		t.Errorf("err = %v", err)
	}
}

func TestRenderRejectsBadOptions(t *testing.T) {
	for name, mut := range map[string]func(*Options){
		"granularity":  func(o *Options) { o.Granularity = "namespace" },
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

// TestGroupsOfOneShapeValidatedOnce: API groups whose files differ only in
// names share a shape, so Render validates one of them; groups with other
// alerts, or whose kinds produce other metrics, do not.
func TestGroupsOfOneShapeValidatedOnce(t *testing.T) {
	o := DefaultOptions()
	o.InferControllers = true
	shape := func(k model.Kind) shapes.Key {
		b := &builder{o: o, names: newNamer()}
		m := model.Model{Kinds: []model.Kind{k}}
		rg, alerts, err := b.group(k.Group, subjects(m, o)[k.Group], templates.Default())
		if err != nil {
			t.Fatal(err)
		}
		w := groupRules{group: k.Group, rules: rg, alerts: alerts, kinds: m.Kinds}
		docs, err := b.documents(w.group, w.rules, w.alerts, b.healthGroup(w.group, w.kinds))
		if err != nil {
			t.Fatal(err)
		}
		js, err := encode(docs)
		if err != nil {
			t.Fatal(err)
		}
		names, content := shape(w, docs, js)
		key, ok := shapes.Of(names, content...)
		if !ok {
			t.Fatalf("%s: names not abstracted", k.Group)
		}
		return key
	}
	stamped := certificateKind()
	stamped.Group, stamped.Kind, stamped.Plural = "s0042.cert-manager.io", "Issuer", "issuers"
	if shape(certificateKind()) != shape(stamped) {
		t.Error("the same kind in another group with another name has another shape")
	}
	if shape(certificateKind()) == shape(crossplaneKind()) {
		t.Error("kinds with other signals share a shape")
	}
}
