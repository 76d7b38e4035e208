package rules

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/tsdb"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/model"
)

// evalAt30m evaluates expr at 30m over the series of a promqltest load
// command.
func evalAt30m(t *testing.T, load, expr string) promql.Vector {
	t.Helper()
	st := promqltest.LoadedStorage(t, load, func(o *tsdb.Options) { o.WALSegmentSize = -1 })
	defer st.Close()
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 10000, Timeout: time.Minute, Parser: promqlParser})
	defer engine.Close()
	q, err := engine.NewInstantQuery(context.Background(), st, nil, expr, time.Unix(0, 0).Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	res := q.Exec(context.Background())
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	vec, err := res.Vector()
	if err != nil {
		t.Fatal(err)
	}
	return vec
}

// catchAllModel has two kinds of one group: App names SyncError (alerted on
// by type) and declares ExpectedError neutral, as the overrides file does
// (which also adds it to the known types); Job names no types.
func catchAllModel() model.Model {
	cs := model.ConditionSet{
		Field:     model.Field{Path: []string{"status", "conditions"}, SchemaPath: "status.conditions"},
		HasStatus: true, HasReason: true, HasTransitionTime: true,
	}
	app := model.Kind{Group: "example.org", Kind: "App", Plural: "apps", Version: "v1", Namespaced: true,
		Conditions: []model.ConditionSet{cs}, Polarity: map[string]model.Polarity{"ExpectedError": model.Neutral}}
	app.Conditions[0].KnownTypes = []string{"ExpectedError", "Ready", "SyncError"}
	job := model.Kind{Group: "example.org", Kind: "Job", Plural: "jobs", Version: "v1", Namespaced: true,
		Conditions: []model.ConditionSet{cs}}
	return model.Model{Kinds: []model.Kind{app, job}}
}

// catchAllRules renders m and returns each alert's expression by name.
func catchAllRules(t *testing.T, m model.Model, o Options) map[string]string {
	t.Helper()
	o.Format = FormatPlain
	files, err := Render(m, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range runUnitTests(t, files) {
		t.Error(err)
	}
	out := map[string]string{}
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".rules.yaml") {
			continue
		}
		var pf struct {
			Groups []struct {
				Rules []struct{ Alert, Expr string }
			}
		}
		if err := yaml.Unmarshal(f.Content, &pf); err != nil {
			t.Fatal(err)
		}
		for _, g := range pf.Groups {
			for _, r := range g.Rules {
				out[r.Alert] = r.Expr
			}
		}
	}
	return out
}

// firingTypes evaluates expr over one condition series per "kind/type" given
// (status True since time 0) and returns the kind/type pairs it selects.
func firingTypes(t *testing.T, expr string, kindTypes ...string) []string {
	t.Helper()
	var load strings.Builder
	load.WriteString("load 1m\n")
	for _, kt := range kindTypes {
		kind, typ, _ := strings.Cut(kt, "/")
		load.WriteString(`  kube_customresource_condition{customresource_group="example.org", customresource_kind="` + kind +
			`", customresource_version="v1", namespace="default", name="x", type="` + typ + `", status="True"} 0x30` + "\n")
	}
	var out []string
	for _, s := range evalAt30m(t, load.String(), expr) {
		out = append(out, s.Metric.Get("customresource_kind")+"/"+s.Metric.Get("type"))
	}
	return out
}

func TestCatchAll(t *testing.T) {
	all := []string{"App/SyncError", "App/ExpectedError", "App/UploadFailed", "App/Stalled", "App/Errors",
		"Job/SyncError", "Job/ExpectedError", "Job/UploadFailed", "Job/Stalled", "Job/Degraded", "Job/Progressing"}
	for name, tc := range map[string]struct {
		granularity string
		alert       string
		want        string
	}{
		// Per kind: each kind excludes its own alerted and non-negative types.
		"per-kind App": {PerKind, "AppConditionFailing", "App/UploadFailed App/Errors"},
		"per-kind Job": {PerKind, "JobConditionFailing", "Job/SyncError Job/ExpectedError Job/UploadFailed Job/Degraded"},
		// Per group: ExampleSyncError covers both kinds; ExpectedError is
		// neutral for App only.
		"per-group": {PerGroup, "ExampleConditionFailing", "App/UploadFailed App/Errors Job/ExpectedError Job/UploadFailed Job/Degraded"},
	} {
		t.Run(name, func(t *testing.T) {
			o := DefaultOptions()
			o.Granularity = tc.granularity
			exprs := catchAllRules(t, catchAllModel(), o)
			expr, ok := exprs[tc.alert]
			if !ok {
				t.Fatalf("no alert %s among %v", tc.alert, exprs)
			}
			got := strings.Join(firingTypes(t, expr, all...), " ")
			want := strings.Fields(tc.want)
			for _, w := range want {
				if !strings.Contains(" "+got+" ", " "+w+" ") {
					t.Errorf("%s does not select %s; selects %s\n%s", tc.alert, w, got, expr)
				}
			}
			if n := len(strings.Fields(got)); n != len(want) {
				t.Errorf("%s selects %s, want %s\n%s", tc.alert, got, tc.want, expr)
			}
		})
	}
}

// TestNegativePattern checks the catch-all's regex against model.PolarityOf.
func TestNegativePattern(t *testing.T) {
	types := append([]string{"UploadError", "SyncFailed", "ComparisonError", "Errors", "FailedMount", "Ready", "Progressing", "Error", "Failed"},
		append(model.PositiveTypes, model.NegativeTypes...)...)
	for _, typ := range types {
		if got, want := catchAllREs[model.Negative].MatchString(typ), model.PolarityOf(typ) == model.Negative; got != want {
			t.Errorf("%s: pattern matches %v, PolarityOf negative %v", typ, got, want)
		}
	}
}

// A catch-all defers to the summary condition: an object that reports
// Ready=True raises no catch-all alert, whatever its other types say.
func TestCatchAllDefersToReady(t *testing.T) {
	exprs := catchAllRules(t, catchAllModel(), DefaultOptions())
	if got := firingTypes(t, exprs["AppConditionFailing"], "App/UploadFailed", "App/Ready"); len(got) != 0 {
		t.Errorf("AppConditionFailing fires with Ready=True: %v", got)
	}
	if got := firingTypes(t, exprs["AppConditionFailing"], "App/UploadFailed"); len(got) != 1 {
		t.Errorf("AppConditionFailing selects %v without Ready, want App/UploadFailed", got)
	}
}
