package dashboards

import (
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/internal/shapes"
	"github.com/crdmon/crdmon/generator/model"
)

func certDashboard(t *testing.T) []byte {
	t.Helper()
	files, err := Render(model.Model{Kinds: []model.Kind{certificate()}}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".json") {
			return f.Content
		}
	}
	t.Fatal("no dashboard")
	return nil
}

// TestValidateRejects breaks a valid dashboard in one way at a time and
// requires Validate to say where and why.
func TestValidateRejects(t *testing.T) {
	good := string(certDashboard(t))
	known := KnownMetrics(model.Model{Kinds: []model.Kind{certificate()}}, DefaultOptions().Prefix, nil)
	if err := Validate([]byte(good), known); err != nil {
		t.Fatalf("valid dashboard rejected: %v", err)
	}
	for _, tc := range []struct {
		name, old, new string
		want           []string // substrings of the error
	}{
		{"unknown metric", `count(kube_customresource_info{`, `count(kube_customresource_infos{`,
			[]string{`panel "Objects"`, "kube_customresource_infos", "not produced"}},
		{"metric of another kind", `count(kube_customresource_info{`, `count(kube_customresource_phase_info{`,
			[]string{`panel "Objects"`, "kube_customresource_phase_info"}},
		{"unknown recorded metric", `count(crdmon:health:state{`, `count(crdmon:health:states{`,
			[]string{`panel "Healthy"`, "crdmon:health:states", "not produced"}},
		{"bad PromQL", `count(kube_customresource_info{`, `count((kube_customresource_info{`,
			[]string{`panel "Objects"`, "does not parse"}},
		{"undefined variable", `count(kube_customresource_info{`, `count(rate(kube_customresource_info[$window]) or kube_customresource_info{`,
			[]string{"does not parse", "$window"}},
		{"duplicate id", `"id": 3,`, `"id": 2,`, []string{"id 2 already used"}},
		{"unknown field", `"editable": true,`, `"editable": true, "bogus": 1,`, []string{"unexpected field 'bogus'"}},
		{"bad uid", `"uid": "crdmon-`, `"uid": "crdmon.`, []string{"uid"}},
		{"outside grid", `"w": 24,`, `"w": 25,`, []string{"outside the 24-column grid"}},
		{"panel type not validated", `"type": "stat"`, `"type": "gauge"`, []string{`panel type "gauge"`}},
		{"unknown panel option", `"colorMode": "background",`, `"colorMode": "background", "bogusOption": 1,`, []string{"bogusOption"}},
		{"variable metric", `label_values(crdmon:health:state{`, `label_values(crdmon:health:nope{`,
			[]string{`variable "kind"`, "crdmon:health:nope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("fixture has no %s", tc.old)
			}
			bad := strings.ReplaceAll(good, tc.old, tc.new)
			err := Validate([]byte(bad), known)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append(tc.want, `dashboard`) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	unknown := strings.Replace(good, `count(kube_customresource_info{`, `count(kube_customresource_infos{`, 1)
	if err := Validate([]byte(unknown), nil); err != nil {
		t.Errorf("nil known must skip the metric check: %v", err)
	}
}

func TestKnownMetrics(t *testing.T) {
	m := allModel()
	known := KnownMetrics(m, "p", []string{"crdmon:unhealthy:count"})
	for _, name := range []string{"p_info", "p_condition", "p_phase_info", "p_replicas_ready", "p_generation", health.Metric, "crdmon:signal:failing", "crdmon:unhealthy:count", "workqueue_depth", "controller_runtime_reconcile_time_seconds_bucket"} {
		if !known[name] {
			t.Errorf("%s not known", name)
		}
	}
	onlyQuiet := model.Model{Kinds: []model.Kind{{Group: "g", Kind: "Quiet"}}}
	if quiet := KnownMetrics(onlyQuiet, "p", nil); quiet["p_info"] || quiet[health.Metric] {
		t.Error("a kind without signals has no series and no recorded health state")
	}
}

func TestOptionsChecked(t *testing.T) {
	for _, mutate := range []func(*Options){
		func(o *Options) { o.Prefix = "bad-prefix" },
		func(o *Options) { o.ClusterLabel = "bad:label" },
		func(o *Options) { o.RecordingRules = []string{"not a name"} },
		func(o *Options) { o.Layout = "per-namespace" },
	} {
		o := DefaultOptions()
		mutate(&o)
		if _, err := Render(goldenModel(), o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}

func TestExpand(t *testing.T) {
	vals := map[string]string{"namespace": "prod", "kind": "A|B", "__rate_interval": "1m"}
	for in, want := range map[string]string{
		`x{namespace=~"$namespace"}`:                  `x{namespace=~"prod"}`,
		`x{namespace=~"${namespace:regex}"}`:          `x{namespace=~"prod"}`,
		`x{kind=~"[[kind]]"}`:                         `x{kind=~"A|B"}`,
		`rate(x[$__rate_interval])`:                   `rate(x[1m])`,
		`label_replace(x, "a", "$1", "b", "(.+)")`:    `label_replace(x, "a", "$1", "b", "(.+)")`,
		`x{a="$undefined"}`:                           `x{a="$undefined"}`,
		`x{namespace=~"$namespace", kind=~"${kind}"}`: `x{namespace=~"prod", kind=~"A|B"}`,
	} {
		got, unknown := Expand(in, vals)
		if got != want {
			t.Errorf("Expand(%s) = %s, want %s", in, got, want)
		}
		wantUnknown := ""
		if in == `x{a="$undefined"}` {
			wantUnknown = "$undefined"
		}
		if strings.Join(unknown, " ") != wantUnknown {
			t.Errorf("Expand(%s) leaves %v unknown, want %q", in, unknown, wantUnknown)
		}
	}
}

// TestBoardsOfOneShapeValidatedOnce: boards that differ only in their names
// share a shape, so Render validates one of them; boards with other panels
// do not.
func TestBoardsOfOneShapeValidatedOnce(t *testing.T) {
	opts := DefaultOptions()
	shape := func(k model.Kind) shapes.Key {
		b := boards(model.Model{Kinds: []model.Kind{k}}, PerGroup)[2] // after the overview and the detail dashboard
		js, err := build(b, opts)
		if err != nil {
			t.Fatal(err)
		}
		key, ok := shapes.Of(b.names(opts), js)
		if !ok {
			t.Fatalf("%s: names %v not abstracted", b.key, b.names(opts))
		}
		return key
	}
	stamped := certificate()
	stamped.Group, stamped.Kind = "s0042.cert-manager.io", "Issuer"
	if shape(certificate()) != shape(stamped) {
		t.Error("the same kind in another group with another name has another shape")
	}
	if shape(certificate()) == shape(machineDeployment()) {
		t.Error("kinds with other signals share a shape")
	}
}
