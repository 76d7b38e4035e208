package rules

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// TestFixturesMatchKSM checks that the input series of every generated
// promtool test are exactly what kube-state-metrics, running the config
// crdmon generates, exposes for the object they describe: the object is
// rebuilt from the series, evaluated with ksmeval, and the output must be the
// fixture's series exactly (families, label sets, values).
func TestFixturesMatchKSM(t *testing.T) {
	t.Parallel()
	models := map[string]model.Model{"hand-built": testModel()}
	if m, ok := tryCorpus(t); ok {
		models["corpus"] = m
	}
	for name, m := range models {
		t.Run(name, func(t *testing.T) {
			for _, prefix := range []string{series.DefaultPrefix, "crd"} {
				o := DefaultOptions()
				o.Prefix = prefix
				o.Granularity = PerGroup
				checkFixtures(t, m, o)
				o.Granularity = PerKind
				checkFixtures(t, m, o)
			}
		})
	}
}

func tryCorpus(t *testing.T) (m model.Model, ok bool) {
	t.Run("corpus", func(t *testing.T) {
		m = corpusModel(t)
		ok = true
	})
	return m, ok
}

func checkFixtures(t *testing.T, m model.Model, o Options) {
	cfg, err := ksm.Build(m, o.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]model.Kind{}
	for _, k := range m.Kinds {
		kinds[k.Group+"/"+k.Kind] = k
	}
	b := &builder{o: o, names: newNamer()}
	checked := 0
	for _, subs := range subjects(m, o) {
		for _, s := range subs {
			for _, a := range b.alerts(s) {
				for i, in := range [][]inputSeries{a.fixture.firing, a.fixture.healthy, a.fixture.suspended} {
					if len(in) == 0 || strings.HasPrefix(in[0].metric, "controller_runtime") || strings.HasPrefix(in[0].metric, "workqueue") {
						continue
					}
					checked++
					where := fmt.Sprintf("%s case %d", a.name, i)
					l := in[0].labels
					k, ok := kinds[l[series.LabelGroup]+"/"+l[series.LabelKind]]
					if !ok {
						t.Errorf("%s: fixture of unknown kind %v", where, l)
						continue
					}
					obj := rebuild(t, k, o.Prefix, in)
					res, err := ksmeval.Evaluate(cfg, []map[string]any{obj})
					if err != nil {
						t.Fatal(err)
					}
					got := map[string][]string{}
					for _, smp := range res.Samples() {
						got[smp.Name] = append(got[smp.Name], sampleKey(smp.Labels, smp.Value))
					}
					want := map[string][]string{}
					for _, s := range in {
						want[s.metric] = append(want[s.metric], sampleKey(s.labels, s.start))
					}
					for fam := range got {
						if _, ok := want[fam]; !ok {
							want[fam] = nil
						}
					}
					for fam, w := range want {
						sort.Strings(w)
						g := got[fam]
						sort.Strings(g)
						if strings.Join(w, "\n") != strings.Join(g, "\n") {
							t.Errorf("%s: %s:\n fixture %v\n ksm     %v", where, fam, w, g)
						}
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no fixture checked")
	}
}

func sampleKey(l map[string]string, v float64) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q,", k, l[k])
	}
	return b.String() + " " + strconv.FormatFloat(v, 'g', -1, 64)
}

// rebuild returns the object of kind k whose kube-state-metrics series are in.
func rebuild(t *testing.T, k model.Kind, prefix string, in []inputSeries) map[string]any {
	l := in[0].labels
	meta := map[string]any{"name": l[series.LabelName]}
	if ns, ok := l[series.LabelNamespace]; ok {
		meta["namespace"] = ns
	}
	obj := map[string]any{"apiVersion": k.Group + "/" + k.Version, "kind": k.Kind, "metadata": meta}
	for _, s := range in {
		switch strings.TrimPrefix(s.metric, prefix+"_") {
		case series.Info:
			if v, ok := s.labels[series.LabelSuspended]; ok {
				set(t, obj, k.Suspend.Path, v == "true")
			}
		case series.Condition:
			var cs *model.ConditionSet
			for i := range k.Conditions {
				if k.Conditions[i].Scope == s.labels[series.LabelPath] {
					cs = &k.Conditions[i]
				}
			}
			if cs == nil {
				t.Fatalf("no condition list for %v", s.labels)
			}
			if _, ok := s.labels[series.LabelType]; !ok {
				continue // the series of an empty list
			}
			c := map[string]any{"type": s.labels[series.LabelType]}
			if v, ok := s.labels[series.LabelStatus]; ok {
				c["status"] = v
			}
			if v, ok := s.labels[series.LabelReason]; ok {
				c["reason"] = v
			}
			if s.start != 0 {
				c["lastTransitionTime"] = time.Unix(int64(s.start), 0).UTC().Format(time.RFC3339)
			}
			list, _ := get(obj, cs.Path).([]any)
			set(t, obj, cs.Path, append(list, c))
		case series.ReplicasDesired:
			set(t, obj, k.Replicas.Desired.Path, int64(s.start))
		case series.ReplicasReady:
			set(t, obj, k.Replicas.Ready.Path, int64(s.start))
		case series.ReplicasCurrent, series.ReplicasAvailable, series.ReplicasUpdated:
			for _, m := range k.Replicas.Members() {
				if s.metric == series.Name(prefix, series.ReplicaMember(m.Name)) {
					set(t, obj, m.Field.Path, int64(s.start))
				}
			}
		case series.Generation:
			set(t, obj, []string{"metadata", "generation"}, int64(s.start))
		case series.ObservedGeneration:
			set(t, obj, k.Generation.Observed.Path, int64(s.start))
		case series.PhaseInfo:
			for _, p := range k.Phases {
				if p.SchemaPath == s.labels[series.LabelField] {
					set(t, obj, p.Path, s.labels[series.LabelPhase])
				}
			}
		case series.Failures, series.Problems:
			for _, f := range slices.Concat(k.Failures, k.Problems) {
				if f.SchemaPath == s.labels[series.LabelField] {
					set(t, obj, f.Path, int64(s.start))
				}
			}
		case series.TimestampSeconds:
			for _, ts := range k.Timestamps {
				if ts.SchemaPath == s.labels[series.LabelField] {
					set(t, obj, ts.Path, time.Unix(int64(s.start), 0).UTC().Format(time.RFC3339))
				}
			}
		default:
			t.Fatalf("fixture series %s is no kube-state-metrics family", s.metric)
		}
	}
	return obj
}

// get follows a kube-state-metrics path, or returns nil.
func get(node any, path []string) any {
	for _, seg := range path {
		switch n := node.(type) {
		case map[string]any:
			node = n[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i >= len(n) {
				return nil
			}
			node = n[i]
		default:
			return nil
		}
	}
	return node
}

// set stores value at path, creating maps, and lists up to a numeric index.
func set(t *testing.T, node any, path []string, value any) {
	t.Helper()
	for i, seg := range path {
		last := i == len(path)-1
		switch n := node.(type) {
		case map[string]any:
			if last {
				n[seg] = value
				return
			}
			if n[seg] == nil {
				if _, err := strconv.Atoi(path[i+1]); err == nil {
					n[seg] = []any{}
				} else {
					n[seg] = map[string]any{}
				}
			}
			if l, ok := n[seg].([]any); ok {
				idx, _ := strconv.Atoi(path[i+1])
				for len(l) <= idx {
					l = append(l, map[string]any{})
				}
				n[seg] = l
			}
			node = n[seg]
		case []any:
			idx, err := strconv.Atoi(seg)
			if err != nil {
				t.Fatalf("path %v: %q indexes a list", path, seg)
			}
			if last {
				n[idx] = value
				return
			}
			node = n[idx]
		default:
			t.Fatalf("path %v: %q reaches a %T", path, seg, node)
		}
	}
}
