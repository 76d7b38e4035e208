package ksmeval

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/promqltest"
)

// The golden CAPI result loads into a real Prometheus TSDB and answers
// the queries a rule author would write.
func TestPromQLLoad(t *testing.T) {
	res, err := Evaluate(testdataConfig(t, "capi"), testdataObjects(t))
	if err != nil {
		t.Fatal(err)
	}
	load := res.PromQLLoad("1m", 5)
	if !strings.HasPrefix(load, "load 1m\n  capi_cluster_info{") {
		t.Fatalf("load block:\n%s", load)
	}
	storage := promqltest.LoadedStorage(t, load)
	engine := promqltest.NewTestEngine(t, false, 5*time.Minute, 100000)
	queries := map[string]string{
		`capi_cluster_status_condition{type="Ready",status="True"} == 1`:                      `{name="prod"} => 1`,
		`capi_cluster_status_phase{phase="Provisioned"} == 0`:                                 `{name="dev"} => 0`,
		`capi_machinedeployment_spec_replicas - capi_machinedeployment_status_replicas_ready`: `{name="dev-md-0"} => 0; {name="prod-md-0"} => 1`,
		`capi_cluster_created`: `{name="dev"} => 1.709528767e+09; {name="prod"} => 1.704164645e+09`,
	}
	for q, want := range queries {
		query, err := engine.NewInstantQuery(context.Background(), storage, nil, q, time.Unix(0, 0).Add(3*time.Minute))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		r := query.Exec(context.Background())
		if r.Err != nil {
			t.Fatalf("%s: %v", q, r.Err)
		}
		vec, err := r.Vector()
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var got []string
		for _, s := range vec {
			got = append(got, `{name="`+s.Metric.Get("name")+`"} => `+FormatValue(s.F))
		}
		if g := strings.Join(sorted(got), "; "); g != want {
			t.Errorf("%s:\n got  %s\n want %s", q, g, want)
		}
		query.Close()
	}
}
