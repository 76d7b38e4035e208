package generator

import (
	"bytes"
	"os"
	"path"
	"strings"
	"testing"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/internal/testutil"
)

// Deployable output at scale: generated from a Crossplane-style provider
// (many kinds per group sharing Ready/Synced) and, with CRDMON_FULL_CORPUS
// set, from the benchmark's input (the corpus stamped into
// CRDMON_BENCH_GROUPS groups, default 2,000) and a provider the size of
// upbound provider-aws, nothing is written that Kubernetes or
// kube-state-metrics' chart would refuse. The sizes are measured here as
// kubectl and the API server measure them, independently of limits.Check.
func TestScaleOutputWithinLimits(t *testing.T) {
	full := os.Getenv("CRDMON_FULL_CORPUS") != ""
	provider := testutil.CrossplaneProvider{Services: 2, Kinds: 300, NewerEvery: 16}
	if full {
		provider = testutil.ProviderAWS
	}
	t.Run("crossplane", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := provider.Write(dir); err != nil {
			t.Fatal(err)
		}
		res := generateLimited(t, dir)
		sizes := checkDeployable(t, res.Files)
		sizes.log(t)
		pack := string(fileContent(res.Files, rules.PrometheusRulePath(rules.PackName)))
		if pack == "" || strings.Contains(pack, "upbound.io") || len(pack) > 64<<10 {
			t.Error("the rule pack names groups, or is not small")
		}
		wildcards := 0
		for _, r := range res.KSM.Spec.Resources {
			if ksm.IsWildcard(r.GroupVersionKind.Kind) {
				wildcards++
			}
		}
		if wildcards < len(provider.Groups())/2 {
			t.Errorf("%d wildcard resources for %d groups", wildcards, len(provider.Groups()))
		}
	})
	t.Run("stamped corpus", func(t *testing.T) {
		if !full {
			t.Skip("set CRDMON_FULL_CORPUS=1 to generate from the corpus stamped into CRDMON_BENCH_GROUPS (default 2000) groups")
		}
		in, err := writeStamped(t.TempDir(), testutil.Corpus(t), envInt("CRDMON_BENCH_GROUPS", 2000), int64(envInt("CRDMON_BENCH_MB", 100))<<20)
		if err != nil {
			t.Fatal(err)
		}
		res := generateLimited(t, in.dir)
		sizes := checkDeployable(t, res.Files)
		sizes.log(t)
		if sizes.ksmConfigs < 2 {
			t.Errorf("%d kube-state-metrics configs: the stamped corpus should need shards", sizes.ksmConfigs)
		}
	})
}

func generateLimited(t *testing.T, dir string) *Result {
	t.Helper()
	opts := DefaultOptions()
	opts.Inputs = []string{dir}
	res, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func fileContent(files []output.File, p string) []byte {
	for _, f := range files {
		if f.Path == p {
			return f.Content
		}
	}
	return nil
}

// deployedSizes are the largest sizes seen, for the log.
type deployedSizes struct {
	object, configMap, ksmConfig, chartConfigMap int
	objectName                                   string
	ksmConfigs                                   int
}

func (s deployedSizes) log(t *testing.T) {
	t.Logf("largest object %s: %d bytes of annotations once applied; largest ConfigMap data %d bytes; "+
		"%d kube-state-metrics config file(s), largest %d bytes; largest chart-rendered ConfigMap data %d bytes",
		s.objectName, s.object, s.configMap, s.ksmConfigs, s.ksmConfig, s.chartConfigMap)
}

// checkDeployable applies every object as `kubectl apply` would (the whole
// object in the last-applied-configuration annotation), validates the
// annotations as the API server does, and checks ConfigMap data (1 MiB),
// kube-state-metrics configs (512 KiB) and the ConfigMap the
// kube-state-metrics chart renders from the values (1 MiB).
func checkDeployable(t *testing.T, files []output.File) deployedSizes {
	t.Helper()
	var s deployedSizes
	for _, f := range files {
		if path.Ext(f.Path) != ".yaml" {
			continue
		}
		base := path.Base(f.Path)
		switch {
		case strings.HasPrefix(base, "custom-resource-state"):
			s.ksmConfigs++
			s.ksmConfig = max(s.ksmConfig, len(f.Content))
			if len(f.Content) > 512<<10 {
				t.Errorf("%s: %d bytes", f.Path, len(f.Content))
			}
			continue
		case strings.HasSuffix(base, "values.yaml") || strings.Contains(base, "values-"):
			var v map[string]any
			if err := yaml.Unmarshal(f.Content, &v); err != nil {
				t.Fatal(err)
			}
			if nested, ok := v["kube-state-metrics"].(map[string]any); ok {
				v = nested
			}
			crs, _ := v["customResourceState"].(map[string]any)
			rendered, err := yaml.Marshal(crs["config"])
			if err != nil {
				t.Fatal(err)
			}
			s.chartConfigMap = max(s.chartConfigMap, len(rendered))
			if len(rendered) > 1<<20 {
				t.Errorf("%s: the chart would render a ConfigMap of %d bytes", f.Path, len(rendered))
			}
			continue
		}
		for _, doc := range bytes.Split(f.Content, []byte("\n---\n")) {
			u, annotations := testutil.Applied(t, doc)
			if u == nil {
				continue // not a Kubernetes object: plain rule files, tests
			}
			size := 0
			for k, v := range annotations {
				size += len(k) + len(v)
			}
			if size > s.object {
				s.object, s.objectName = size, f.Path
			}
			if errs := apivalidation.ValidateAnnotations(annotations, field.NewPath("metadata", "annotations")); len(errs) > 0 {
				t.Errorf("%s: %s %s: %v", f.Path, u.GetKind(), u.GetName(), errs.ToAggregate())
			}
			if u.GetKind() == "ConfigMap" {
				data, _, _ := unstructured.NestedStringMap(u.Object, "data")
				n := 0
				for _, v := range data {
					n += len(v)
				}
				s.configMap = max(s.configMap, n)
				if n > 1<<20 {
					t.Errorf("%s: ConfigMap data %d bytes", f.Path, n)
				}
			}
		}
	}
	return s
}
