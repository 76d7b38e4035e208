package ksmeval

import (
	"strconv"
	"strings"
	"testing"
)

// evalCase is one reference example: a resource body for g/v1 K, the object
// body, the expected sample lines (without customresource_* labels) and the
// expected generation errors ("family: message").
type evalCase struct {
	name     string
	resource string
	object   string
	want     []string
	wantErrs []string
}

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := evaluate(t, oneResource(c.resource), oneObject(c.object))
			equalLines(t, "samples", sampleLines(res), c.want)
			equalLines(t, "errors", errorMessages(res), c.wantErrs)
		})
	}
}

// §5 Paths.
func TestPaths(t *testing.T) {
	const obj = `
metadata:
  name: o
  namespace: ns
  labels: {cluster.x-k8s.io/cluster-name: c1}
  ownerReferences:
  - {kind: A, name: a0, controller: false}
  - {kind: B, name: b1, controller: true}
spec:
  mode: fast
  ports:
  - {name: http, port: 8080}
  - {name: alt, port: "9090"}
status:
  conditions:
  - {type: Synced, status: "False"}
  - {type: Ready, status: "True"}
  - {type: Ready, status: "False"}
`
	label := func(path string) string {
		return "metrics:\n- name: p_info\n  each: {type: Info, info: {labelsFromPath: {v: " + path + "}}}\n"
	}
	cases := []evalCase{
		{name: "dotted map key", resource: label(`[metadata, labels, cluster.x-k8s.io/cluster-name]`), object: obj,
			want: []string{`kube_customresource_p_info{v="c1"} 1`}},
		{name: "index 0", resource: label(`[metadata, ownerReferences, "0", name]`), object: obj,
			want: []string{`kube_customresource_p_info{v="a0"} 1`}},
		{name: "negative index", resource: label(`[metadata, ownerReferences, "-1", name]`), object: obj,
			want: []string{`kube_customresource_p_info{v="b1"} 1`}},
		{name: "index out of range is nil", resource: label(`[metadata, ownerReferences, "5", name]`), object: obj},
		{name: "negative out of range is nil", resource: label(`[metadata, ownerReferences, "-3"]`), object: obj},
		{name: "non-numeric segment on list is nil", resource: label(`[metadata, ownerReferences, name]`), object: obj},
		{name: "first match", resource: label(`[status, conditions, "[type=Ready]", status]`), object: obj,
			want: []string{`kube_customresource_p_info{v="True"} 1`}},
		{name: "no match", resource: label(`[status, conditions, "[type=Stalled]", status]`), object: obj},
		{name: "number match on int", resource: label(`[spec, ports, "[port=8080]", name]`), object: obj,
			want: []string{`kube_customresource_p_info{v="http"} 1`}},
		{name: "number match on string", resource: label(`[spec, ports, "[port=9090.0]", name]`), object: obj,
			want: []string{`kube_customresource_p_info{v="alt"} 1`}},
		{name: "bool match", resource: label(`[metadata, ownerReferences, "[controller=true]", name]`), object: obj,
			want: []string{`kube_customresource_p_info{v="b1"} 1`}},
		{name: "bracket lookup on map is nil", resource: label(`[spec, "[mode=fast]"]`), object: obj},
		{name: "k=v on map, equal", resource: label(`[spec, "mode=fast"]`), object: obj,
			want: []string{`kube_customresource_p_info{v="fast"} 1`}},
		{name: "k=v on map, different", resource: label(`[spec, "mode=slow"]`), object: obj},
		{name: "nil anywhere", resource: label(`[spec, missing, deeper, "0"]`), object: obj},
		{name: "path through a scalar", resource: label(`[spec, mode, x]`), object: obj},
	}
	runCases(t, cases)
}

// §5: a bracket segment without "=" is a compile error, and then the whole
// config produces nothing.
func TestInvalidListLookup(t *testing.T) {
	cfg := `spec:
  resources:
  - groupVersionKind: {group: ok.io, version: v1, kind: Good}
    metrics:
    - name: good
      each: {type: Gauge, gauge: {path: [spec, replicas]}}
  - groupVersionKind: {group: g, version: v1, kind: K}
    metrics:
    - name: bad
      each: {type: Gauge, gauge: {path: [status, conditions, "[type]"]}}
`
	res, err := Evaluate(parseConfig(t, cfg), loadString(t, oneObject("")))
	want := "failed to create metrics factory for g_v1_K: bad: compiling metric: each.gauge: path: invalid list lookup: [type]"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if len(res.Families) != 0 {
		t.Errorf("families = %d, want none", len(res.Families))
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct{ each, want string }{
		{`{type: Counter, gauge: {path: [a]}}`, "x: compiling metric: unknown metric type counter"},
		{`{type: Gauge, info: {path: [a]}}`, "x: compiling metric: expected each.gauge to not be nil"},
		{`{type: Info}`, "x: compiling metric: expected each.info to not be nil"},
		{`{type: StateSet}`, "x: compiling metric: expected each.stateSet to not be nil"},
		{`{type: Gauge, gauge: {valueFrom: ["[]"]}}`, "x: compiling metric: each.gauge.valueFrom: invalid list lookup: []"},
		{`{type: Info, info: {labelsFromPath: {l: ["[x]"]}}}`, "x: compiling metric: each.info: labelsFromPath: l: invalid list lookup: [x]"},
		{`{type: StateSet, stateSet: {path: ["[x]"]}}`, "x: compiling metric: each.stateSet: path: invalid list lookup: [x]"},
	}
	for _, c := range cases {
		_, err := Evaluate(parseConfig(t, oneResource("metrics:\n- name: x\n  each: "+c.each)), nil)
		want := "failed to create metrics factory for g_v1_K: " + c.want
		if err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %s", c.each, err, want)
		}
	}
	_, err := Evaluate(parseConfig(t, oneResource("labelsFromPath: {r: [\"[r]\"]}\nmetrics:\n- name: x\n  each: {type: Gauge, gauge: {path: [a]}}")), nil)
	if want := "failed to create metrics factory for g_v1_K: x: labelsFromPath: r: invalid list lookup: [r]"; err == nil || err.Error() != want {
		t.Errorf("family labels: err = %v, want %s", err, want)
	}
}

// §1: types are case-insensitive.
func TestTypeCase(t *testing.T) {
	for _, typ := range []string{"Gauge", "gauge", "GAUGE"} {
		res := evaluate(t, oneResource("metrics:\n- name: r\n  each: {type: "+typ+", gauge: {path: [spec, replicas]}}"), oneObject("spec: {replicas: 3}"))
		equalLines(t, typ, sampleLines(res), []string{"kube_customresource_r 3"})
		if res.Families[0].Type != "gauge" {
			t.Errorf("%s: type %q", typ, res.Families[0].Type)
		}
	}
}

// §6 Gauge.
func TestGauge(t *testing.T) {
	const conditions = `status:
  replicas: 3
  readyReplicas: 2
  conditions:
  - {type: Ready, status: "True", lastTransitionTime: "2024-04-01T10:00:00Z"}
  - {type: Synced, status: "False"}
  - {type: Stalled, status: "Unknown"}
  - {type: Reconciling}
`
	cases := []evalCase{
		{name: "scalar", resource: "metrics:\n- name: r\n  each: {type: Gauge, gauge: {path: [status, replicas]}}", object: conditions,
			want: []string{"kube_customresource_r 3"}},
		{name: "missing scalar is an error", resource: "metrics:\n- name: r\n  each: {type: Gauge, gauge: {path: [status, available]}}", object: conditions,
			wantErrs: []string{"kube_customresource_r: [status,available]: got nil while resolving path"}},
		{name: "missing scalar with nilIsZero", resource: "metrics:\n- name: r\n  each: {type: Gauge, gauge: {path: [status, available], nilIsZero: true}}", object: conditions,
			want: []string{"kube_customresource_r 0"}},
		{name: "missing valueFrom on a present scalar is quiet", resource: "metrics:\n- name: r\n  each: {type: Gauge, gauge: {path: [status, replicas], valueFrom: [x]}}", object: conditions},
		{name: "conditions True/False/Unknown", resource: "metrics:\n- name: c\n  each: {type: Gauge, gauge: {path: [status, conditions], valueFrom: [status], labelsFromPath: {type: [type]}}}", object: conditions,
			// Reconciling lacks status: silently skipped.
			want: []string{`kube_customresource_c{type="Ready"} 1`, `kube_customresource_c{type="Stalled"} 0`, `kube_customresource_c{type="Synced"} 0`}},
		{name: "list element lacking valueFrom with nilIsZero", resource: "metrics:\n- name: c\n  each: {type: Gauge, gauge: {path: [status, conditions], valueFrom: [lastTransitionTime], nilIsZero: true, labelsFromPath: {type: [type]}}}", object: conditions,
			want: []string{`kube_customresource_c{type="Ready"} 1.7119656e+09`, `kube_customresource_c{type="Reconciling"} 0`, `kube_customresource_c{type="Stalled"} 0`, `kube_customresource_c{type="Synced"} 0`}},
		{name: "single condition as a scalar", resource: "metrics:\n- name: ready\n  each: {type: Gauge, gauge: {path: [status, conditions, \"[type=Ready]\", status]}}", object: conditions,
			want: []string{"kube_customresource_ready 1"}},
		{name: "map special case", resource: "metrics:\n- name: r\n  each: {type: Gauge, gauge: {path: [status], valueFrom: [replicas]}}", object: conditions,
			want: []string{"kube_customresource_r 3"}},
		{name: "map special case with nilIsZero gives 0 for every other key", resource: "metrics:\n- name: r\n  each: {type: Gauge, gauge: {path: [status], valueFrom: [replicas], nilIsZero: true, labelFromKey: key}}", object: conditions,
			want: []string{`kube_customresource_r{key="conditions"} 0`, `kube_customresource_r{key="readyReplicas"} 0`, `kube_customresource_r{key="replicas"} 3`}},
		{name: "map with labelFromKey", resource: "metrics:\n- name: req\n  each: {type: Gauge, gauge: {path: [spec, resources], labelFromKey: resource}}", object: "spec: {resources: {cpu: 250m, memory: 1Gi}}",
			want: []string{`kube_customresource_req{resource="cpu"} 0.25`, `kube_customresource_req{resource="memory"} 1.073741824e+09`}},
		{name: "map without labelFromKey duplicates series", resource: "metrics:\n- name: req\n  each: {type: Gauge, gauge: {path: [spec, resources]}}", object: "spec: {resources: {cpu: 250m, memory: 1Gi}}",
			want: []string{`kube_customresource_req 0.25`, `kube_customresource_req 1.073741824e+09`}},
		{name: "map labels: child then the map itself", resource: "metrics:\n- name: m\n  each: {type: Gauge, gauge: {path: [spec, pools], valueFrom: [size], labelFromKey: pool, labelsFromPath: {zone: [zone]}}}",
			object: "spec: {pools: {a: {size: 1, zone: z1}, b: {size: 2}, zone: top}}",
			// The map's own "zone" key wins over each child's zone; the "zone" key
			// itself has no size and is skipped.
			want: []string{`kube_customresource_m{pool="a",zone="top"} 1`, `kube_customresource_m{pool="b",zone="top"} 2`}},
		{name: "conversion error", resource: "metrics:\n- name: v\n  each: {type: Gauge, gauge: {path: [spec, version]}}", object: "spec: {version: v1.2.3}",
			wantErrs: []string{`kube_customresource_v: [spec,version]: []: strconv.ParseFloat: parsing "v1.2.3": invalid syntax`}},
		{name: "conversion error in a list", resource: "metrics:\n- name: v\n  each: {type: Gauge, gauge: {path: [spec, items], valueFrom: [v]}}", object: "spec: {items: [{v: 2}, {v: abc}]}",
			want:     []string{"kube_customresource_v 2"},
			wantErrs: []string{`kube_customresource_v: [spec,items]: [1]: [v]: strconv.ParseFloat: parsing "abc": invalid syntax`}},
		{name: "map value is an error", resource: "metrics:\n- name: v\n  each: {type: Gauge, gauge: {path: [spec], valueFrom: [a]}}", object: "spec: {a: {b: 1}}",
			wantErrs: []string{"kube_customresource_v: [spec]: [a]: expected number but was map[b:1]"}},
		{name: "creationTimestamp", resource: "metrics:\n- name: created\n  each: {type: Gauge, gauge: {path: [metadata, creationTimestamp]}}",
			object: "metadata: {name: o, namespace: ns, creationTimestamp: \"2024-04-01T10:00:00Z\"}",
			want:   []string{`kube_customresource_created 1.7119656e+09`}},
		{name: "percentage", resource: "metrics:\n- name: p\n  each: {type: Gauge, gauge: {path: [spec, maxUnavailable]}}", object: `spec: {maxUnavailable: "25%"}`,
			want: []string{`kube_customresource_p 0.25`}},
		{name: "negative and fraction", resource: "metrics:\n- name: p\n  each: {type: Gauge, gauge: {path: [spec, xs], valueFrom: [v], labelsFromPath: {i: [i]}}}", object: `spec: {xs: [{i: a, v: -1}, {i: b, v: 43.21}, {i: c, v: true}]}`,
			want: []string{`kube_customresource_p{i="a"} -1`, `kube_customresource_p{i="b"} 43.21`, `kube_customresource_p{i="c"} 1`}},
	}
	runCases(t, cases)
}

// §6 Value conversion, in kube-state-metrics' order.
func TestToFloat64(t *testing.T) {
	cases := []struct {
		in      any
		want    float64
		wantErr string
	}{
		{true, 1, ""}, {false, 0, ""},
		{int64(3), 3, ""}, {0.5, 0.5, ""},
		{"True", 1, ""}, {"yes", 1, ""}, {"YES", 1, ""},
		{"False", 0, ""}, {"No", 0, ""}, {"Unknown", 0, ""},
		{"2024-01-02T03:04:05Z", 1704164645, ""},
		{"2024-01-02T03:04:05.9+01:00", 1704161045, ""},
		{"250m", 0.25, ""}, {"1Gi", 1073741824, ""}, {"42", 42, ""}, {"1e3", 1000, ""},
		{"25%", 0.25, ""},
		{"NaN", 0, ""}, // ParseFloat accepts it; compared below with IsNaN
		{"25.5%", 0, `strconv.ParseFloat: parsing "25.5%": invalid syntax`},
		{"v1.2.3", 0, `strconv.ParseFloat: parsing "v1.2.3": invalid syntax`},
		{nil, 0, "expected number but found nil value"},
		{map[string]any{"a": int64(1)}, 0, "expected number but was map[a:1]"},
		{[]any{"a"}, 0, "expected number but was [a]"},
	}
	for _, c := range cases {
		got, err := toFloat64(c.in, false)
		if c.wantErr != "" {
			if err == nil || err.Error() != c.wantErr {
				t.Errorf("toFloat64(%#v) err = %v, want %s", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("toFloat64(%#v): %v", c.in, err)
			continue
		}
		if s, ok := c.in.(string); ok && s == "NaN" {
			if got == got {
				t.Errorf("toFloat64(NaN) = %v", got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("toFloat64(%#v) = %v, want %v", c.in, got, c.want)
		}
	}
	if got, err := toFloat64(nil, true); err != nil || got != 0 {
		t.Errorf("toFloat64(nil, nilIsZero) = %v, %v", got, err)
	}
}

// §6 Info.
func TestInfo(t *testing.T) {
	const flux = `spec:
  interval: 5m
  name: chart
  sourceRef: {kind: GitRepository, name: repo}
  refs: [a, b]
`
	cases := []evalCase{
		{name: "no each labels, no series", resource: "labelsFromPath: {name: [metadata, name]}\nmetrics:\n- name: r_info\n  labelsFromPath: {x: [spec, interval]}\n  each: {type: Info, info: {}}", object: flux},
		{name: "whole object", resource: "labelsFromPath: {ns: [metadata, namespace]}\nmetrics:\n- name: r_info\n  each: {type: Info, info: {labelsFromPath: {name: [metadata, name]}}}", object: flux,
			want: []string{`kube_customresource_r_info{name="o",ns="ns"} 1`}},
		{name: "map node gives extra series from children", resource: "metrics:\n- name: r_info\n  each: {type: Info, info: {path: [spec], labelsFromPath: {name: [name]}}}", object: flux,
			// spec.name from the map itself, spec.sourceRef.name from its child.
			want: []string{`kube_customresource_r_info{name="chart"} 1`, `kube_customresource_r_info{name="repo"} 1`}},
		{name: "list of scalars with empty path", resource: "metrics:\n- name: ref_info\n  each: {type: Info, info: {path: [spec, refs], labelsFromPath: {ref: []}}}", object: flux,
			want: []string{`kube_customresource_ref_info{ref="a"} 1`, `kube_customresource_ref_info{ref="b"} 1`}},
		{name: "list of maps", resource: "metrics:\n- name: owner\n  each: {type: Info, info: {path: [metadata, ownerReferences], labelsFromPath: {owner_kind: [kind], owner_name: [name]}}}",
			object: "metadata: {name: o, namespace: ns, ownerReferences: [{kind: A, name: a}, {uid: x}, {kind: B, name: b}]}",
			want:   []string{`kube_customresource_owner{owner_kind="A",owner_name="a"} 1`, `kube_customresource_owner{owner_kind="B",owner_name="b"} 1`}},
		{name: "labelFromKey over a map", resource: "metrics:\n- name: ann_info\n  each: {type: Info, info: {path: [metadata, annotations], labelFromKey: key}}",
			object: "metadata: {name: o, namespace: ns, annotations: {a: x, b.c/d: y}}",
			want:   []string{`kube_customresource_ann_info{key="a"} 1`, `kube_customresource_ann_info{key="b.c/d"} 1`}},
		{name: "labelFromKey conflicting with labelsFromPath", resource: "metrics:\n- name: c_info\n  each: {type: Info, info: {path: [spec, sourceRef], labelFromKey: kind, labelsFromPath: {kind: [kind]}}}", object: flux,
			want:     []string{`kube_customresource_c_info{kind="GitRepository"} 1`, `kube_customresource_c_info{kind="kind"} 1`, `kube_customresource_c_info{kind="name"} 1`},
			wantErrs: []string{"kube_customresource_c_info: [spec,sourceRef]: [labelFromKey (kind) generated labels conflict with labelsFromPath, consider renaming it]"}},
		{name: "scalar", resource: "metrics:\n- name: phase_info\n  commonLabels: {field: spec.interval}\n  each: {type: Info, info: {path: [spec, interval], labelsFromPath: {phase: []}}}", object: flux,
			want: []string{`kube_customresource_phase_info{field="spec.interval",phase="5m"} 1`}},
		{name: "missing path", resource: "metrics:\n- name: phase_info\n  each: {type: Info, info: {path: [status, phase], labelsFromPath: {phase: []}}}", object: flux},
	}
	runCases(t, cases)
}

// §6 StateSet.
func TestStateSet(t *testing.T) {
	const obj = `spec: {paused: true, mode: Fast}
status:
  phase: Provisioned
  conditions:
  - {type: Ready, status: "True"}
  - {type: Synced, status: "Unknown"}
  - {type: Broken, status: false}
  - {type: Missing}
`
	cases := []evalCase{
		{name: "conditions", resource: `metrics:
- name: status_condition
  each:
    type: StateSet
    stateSet: {path: [status, conditions], labelName: status, list: ["True", "False", "Unknown"], valueFrom: [status], labelsFromPath: {type: [type]}}`, object: obj,
			want: []string{
				`kube_customresource_status_condition{status="False",type="Ready"} 0`,
				`kube_customresource_status_condition{status="False",type="Synced"} 0`,
				`kube_customresource_status_condition{status="True",type="Ready"} 1`,
				`kube_customresource_status_condition{status="True",type="Synced"} 0`,
				`kube_customresource_status_condition{status="Unknown",type="Ready"} 0`,
				`kube_customresource_status_condition{status="Unknown",type="Synced"} 1`,
			},
			wantErrs: []string{"kube_customresource_status_condition: [status,conditions]: expected value for path to be string, got bool"}},
		{name: "phase exact match", resource: "metrics:\n- name: status_phase\n  each: {type: StateSet, stateSet: {path: [status, phase], labelName: phase, list: [Pending, Provisioned, provisioned]}}", object: obj,
			want: []string{`kube_customresource_status_phase{phase="Pending"} 0`, `kube_customresource_status_phase{phase="Provisioned"} 1`, `kube_customresource_status_phase{phase="provisioned"} 0`}},
		{name: "value not in list gives zeros", resource: "metrics:\n- name: mode\n  each: {type: StateSet, stateSet: {path: [spec, mode], labelName: mode, list: [Slow, fast]}}", object: obj,
			want: []string{`kube_customresource_mode{mode="Slow"} 0`, `kube_customresource_mode{mode="fast"} 0`}},
		{name: "nil is quiet", resource: "metrics:\n- name: x\n  each: {type: StateSet, stateSet: {path: [spec, nothing], labelName: s, list: [a]}}", object: obj},
		{name: "non-string is an error", resource: "metrics:\n- name: paused\n  each: {type: StateSet, stateSet: {path: [spec, paused], labelName: s, list: [\"true\"]}}", object: obj,
			wantErrs: []string{"kube_customresource_paused: [spec,paused]: expected value for path to be string, got bool"}},
		{name: "labelsFromPath overrides labelName", resource: "metrics:\n- name: x\n  each: {type: StateSet, stateSet: {path: [status], valueFrom: [phase], labelName: phase, list: [Provisioned], labelsFromPath: {phase: [phase]}}}", object: obj,
			want: []string{`kube_customresource_x{phase="Provisioned"} 1`}},
	}
	runCases(t, cases)
}

// §4 Labels.
func TestLabels(t *testing.T) {
	const obj = `metadata:
  name: o
  namespace: ns
  labels: {app.kubernetes.io/name: web, team: a}
  annotations: {note.io/x: "1", "y": "2"}
spec: {replicas: 3, ratio: 0.5, "on": true, list: [a, b], map: {k: v}, name: inner}
`
	gauge := func(extra string) string {
		return extra + "metrics:\n- name: r\n  each: {type: Gauge, gauge: {path: [spec, replicas]}}"
	}
	cases := []evalCase{
		{name: "sanitized labelsFromPath key", resource: gauge("labelsFromPath: {app.kubernetes.io/name: [metadata, labels, app.kubernetes.io/name]}\n"), object: obj,
			want: []string{`kube_customresource_r{app_kubernetes_io_name="web"} 3`}},
		{name: "value rendering", resource: gauge("labelsFromPath: {i: [spec, replicas], f: [spec, ratio], b: [spec, \"on\"], l: [spec, list], m: [spec, map]}\n"), object: obj,
			want: []string{`kube_customresource_r{b="true",f="0.5",i="3",l="[a b]",m="map[k:v]"} 3`}},
		{name: "nil path skipped", resource: gauge("labelsFromPath: {gone: [status, x], name: [metadata, name]}\n"), object: obj,
			want: []string{`kube_customresource_r{name="o"} 3`}},
		{name: "star keys, plain keys override", resource: gauge("labelsFromPath: {\"*\": [metadata, labels], \"annotation_*\": [metadata, annotations], team: [metadata, name]}\n"), object: obj,
			want: []string{`kube_customresource_r{annotation_note_io_x="1",annotation_y="2",app_kubernetes_io_name="web",team="o"} 3`}},
		{name: "metric labels win over resource labels", resource: "labelsFromPath: {name: [metadata, name], ns: [metadata, namespace]}\ncommonLabels: {c: res, d: res}\nmetrics:\n- name: r\n  labelsFromPath: {name: [spec, name]}\n  commonLabels: {c: metric}\n  each: {type: Gauge, gauge: {path: [spec, replicas]}}", object: obj,
			want: []string{`kube_customresource_r{c="metric",d="res",name="inner",ns="ns"} 3`}},
		{name: "each labels win over family labels", resource: "labelsFromPath: {name: [metadata, name]}\ncommonLabels: {type: common}\nmetrics:\n- name: r\n  labelsFromPath: {kind: [kind]}\n  each: {type: Info, info: {labelsFromPath: {name: [spec, name], kind: [apiVersion]}}}", object: obj,
			want: []string{`kube_customresource_r{kind="g/v1",name="inner",type="common"} 1`}},
		{name: "family labelsFromPath wins over commonLabels", resource: "commonLabels: {name: common}\nmetrics:\n- name: r\n  labelsFromPath: {name: [metadata, name]}\n  each: {type: Gauge, gauge: {path: [spec, replicas]}}", object: obj,
			want: []string{`kube_customresource_r{name="o"} 3`}},
		{name: "commonLabels keys not sanitized", resource: gauge("commonLabels: {my-label: x}\n"), object: obj,
			want: []string{`kube_customresource_r{my-label="x"} 3`}},
	}
	runCases(t, cases)
}

// §4: GVK labels are injected into resource commonLabels (overriding them);
// metric commonLabels and labelsFromPath still win.
func TestGVKLabels(t *testing.T) {
	cfg := oneResource(`commonLabels: {customresource_group: mine, customresource_kind: mine}
metrics:
- name: a
  each: {type: Gauge, gauge: {path: [spec, replicas]}}
- name: b
  commonLabels: {customresource_kind: metric}
  labelsFromPath: {customresource_version: [metadata, name]}
  each: {type: Gauge, gauge: {path: [spec, replicas]}}`)
	res := evaluate(t, cfg, oneObject("spec: {replicas: 1}"))
	parseExposition(t, res.Exposition()) // empty HELP text still parses
	got := strings.Split(strings.TrimSpace(string(res.Exposition())), "\n")
	equalLines(t, "exposition", got, []string{
		"# HELP kube_customresource_a ",
		"# TYPE kube_customresource_a gauge",
		`kube_customresource_a{customresource_group="g",customresource_kind="K",customresource_version="v1"} 1`,
		"# HELP kube_customresource_b ",
		"# TYPE kube_customresource_b gauge",
		`kube_customresource_b{customresource_group="g",customresource_kind="metric",customresource_version="o"} 1`,
	})
}

// §3 Metric names.
func TestNames(t *testing.T) {
	cases := []struct{ prefix, want string }{
		{"", "kube_customresource_x"},
		{"metricNamePrefix: \"\"\n", "x"},
		{"metricNamePrefix: gotk\n", "gotk_x"},
		{"metricNamePrefix: capi_cluster\n", "capi_cluster_x"},
	}
	for _, c := range cases {
		res := evaluate(t, oneResource(c.prefix+"metrics:\n- name: x\n  each: {type: Gauge, gauge: {path: [spec, replicas]}}"), oneObject("spec: {replicas: 2}"))
		if got := res.Families[0].Name; got != c.want {
			t.Errorf("%q: name %q, want %q", c.prefix, got, c.want)
		}
	}
}

// §8: errorLogV is carried on errors, the metric's value winning when set;
// §3: an Info without the _info suffix is noticed.
func TestErrorLogVAndNotices(t *testing.T) {
	res := evaluate(t, oneResource(`errorLogV: 4
metrics:
- name: a
  each: {type: Gauge, gauge: {path: [status, a]}}
- name: b
  errorLogV: 2
  each: {type: Gauge, gauge: {path: [status, b]}}
- name: c
  each: {type: Info, info: {labelsFromPath: {n: [metadata, name]}}}`), oneObject(""))
	var got []string
	for _, e := range res.Errors {
		got = append(got, e.Family+" "+strconv.Itoa(e.LogV)+" "+e.Object)
	}
	equalLines(t, "errors", got, []string{"kube_customresource_a 4 ns/o", "kube_customresource_b 2 ns/o"})
	equalLines(t, "notices", res.Notices, []string{`g_v1_K: Info metric "c" does not have _info suffix`})
}
