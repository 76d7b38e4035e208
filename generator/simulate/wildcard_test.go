package simulate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/internal/testutil"
)

// A Crossplane-style provider's groups get wildcard kube-state-metrics
// resources; simulate expands them over the provider's CRDs as
// kube-state-metrics would, so every object has its series, every alert of
// its group is listed for it, and a managed resource not Synced fires.
func TestWildcardResources(t *testing.T) {
	dir := t.TempDir()
	provider := testutil.CrossplaneProvider{Services: 1, Kinds: 4}
	if _, err := provider.Write(dir); err != nil {
		t.Fatal(err)
	}
	opts := generator.DefaultOptions()
	opts.Inputs = []string{dir}
	opts.Rules.Format = rules.FormatPlain
	opts.KSM.Wildcards = ksm.WildcardsAlways
	res, err := generator.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.KSM.Spec.Resources {
		if !ksm.IsWildcard(r.GroupVersionKind.Kind) {
			t.Fatalf("resource %+v is not a wildcard", r.GroupVersionKind)
		}
	}
	condition := func(typ, status string, since time.Duration) map[string]any {
		return map[string]any{"type": typ, "status": status, "reason": "Test", "lastTransitionTime": testAt.Add(-since).Format(time.RFC3339)}
	}
	var objects []map[string]any
	groups := provider.Groups()
	for _, g := range []string{"ec2.aws.upbound.io", "ec2.aws.m.upbound.io"} {
		for i, kind := range groups[g] {
			synced := "True"
			if i == 1 {
				synced = "False"
			}
			meta := map[string]any{"name": fmt.Sprintf("o%d", i), "generation": int64(1)}
			if strings.Contains(g, ".m.") {
				meta["namespace"] = "team"
			}
			objects = append(objects, map[string]any{
				"apiVersion": g + "/v1beta1", "kind": kind, "metadata": meta,
				"status": map[string]any{"observedGeneration": int64(1), "conditions": []any{
					condition("Ready", "True", 2*time.Hour), condition("Synced", synced, time.Hour)}},
			})
		}
	}
	rep, err := Run(res, objects, testAt)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Objects != len(objects) || len(rep.Skipped) > 0 || len(rep.NotEvaluated) > 0 {
		t.Fatalf("%d objects of %d, skipped %v, not evaluated %v", rep.Objects, len(objects), rep.Skipped, rep.NotEvaluated)
	}
	var firing []string
	rows := map[string]int{}
	for _, r := range rep.Rows {
		rows[r.Group+"/"+r.Kind+"/"+r.Name]++
		if r.State == Firing && r.Alert == "CustomResourceNotReady" && r.Labels["signal"] == "Synced" {
			firing = append(firing, r.Group+" "+r.Kind+" "+r.Name)
		} else if r.State == Firing && !(r.Alert == "CustomResourceFailing" && r.Labels["signal"] == "Synced") {
			t.Errorf("%s %s %s: %s firing", r.Group, r.Kind, r.Name, r.Alert)
		}
	}
	slices.Sort(firing)
	kinds := groups["ec2.aws.upbound.io"]
	want := []string{
		"ec2.aws.m.upbound.io " + kinds[1] + " o1",
		"ec2.aws.upbound.io " + kinds[1] + " o1",
	}
	if !slices.Equal(firing, want) {
		t.Errorf("firing:\n%s\nwant:\n%s", strings.Join(firing, "\n"), strings.Join(want, "\n"))
	}
	for key, n := range rows {
		if n != rows["ec2.aws.upbound.io/"+kinds[0]+"/o0"] {
			t.Errorf("%s: %d rows, unlike the others", key, n)
		}
	}
}
