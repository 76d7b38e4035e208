// Package ksmeval evaluates a kube-state-metrics custom-resource-state config
// over a set of objects and produces exactly the series kube-state-metrics
// would serve, following ../shared/reference/kube-state-metrics-crs.md
// (paths §5, metric types §6, labels §4, names §3, exposition §9).
//
// Differences from a live kube-state-metrics, all for determinism or because
// no cluster is involved:
//   - objects are visited sorted by namespace/name (KSM's store order is
//     random), and where KSM iterates Go maps (map nodes, star labels) keys
//     are visited in sorted order;
//   - with Evaluate, the installed CRDs are unknown: every configured
//     resource with a concrete group counts as installed (KSM skips GVKs
//     whose CRD is absent); a wildcard version/kind expands to the concrete
//     version/kind pairs seen among the objects, each object counted once
//     (KSM counts it once per served version); the resource plural used for
//     ordering is resourcePlural when set, else a flect-like pluralisation
//     of the kind (KSM reads it from the CRD). EvaluateInstalled, given the
//     installed CRDs, resolves resources exactly as KSM does.
package ksmeval

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/crdmon/crdmon/generator/ksm"
)

// DefaultPrefix is the metric name prefix when metricNamePrefix is absent.
const DefaultPrefix = "kube_customresource"

// Sample is one series.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Family is one generator of one resolved resource, with the samples of all
// its objects in exposition order.
type Family struct {
	Name     string               // full metric name, prefix included
	Help     string               // help text as configured
	Type     string               // lower-cased: gauge, info or stateset
	GVK      ksm.GroupVersionKind // resolved (wildcards expanded)
	Resource string               // GVR string "group/version, Resource=plural"
	Objects  int                  // objects of the resource; 0 → nothing is printed
	Samples  []Sample
}

// GenerationError is an error kube-state-metrics would log while generating
// a family for an object; it is not fatal.
type GenerationError struct {
	Resource string // GVR string
	Object   string // "namespace/name", or "name" for cluster-scoped objects
	Family   string // full metric name
	Message  string // kube-state-metrics' wording
	LogV     int    // klog verbosity KSM logs it at (errorLogV; 0 = always shown)
}

// String renders the error like kube-state-metrics' log line.
func (e GenerationError) String() string {
	return fmt.Sprintf("%s %s: %q err=%q", e.Resource, e.Object, e.Family, e.Message)
}

// Resolved is a config entry bound to one concrete GVK, as kube-state-metrics
// runs it.
type Resolved struct {
	GVK      ksm.GroupVersionKind // wildcards expanded
	Resource string               // GVR string "group/version, Resource=plural"
	Config   ksm.Resource         // the entry, as configured
}

// Result is what a scrape of kube-state-metrics would show for the config.
type Result struct {
	Resources []Resolved        // ordered by GVR string
	Families  []Family          // resources ordered by GVR string, generators in config order
	Errors    []GenerationError // per object and family, in evaluation order
	Notices   []string          // what KSM would log besides generation errors (skipped or replaced entries)
}

// Samples returns all samples in exposition order.
func (r Result) Samples() []Sample {
	var out []Sample
	for _, f := range r.Families {
		out = append(out, f.Samples...)
	}
	return out
}

// compiledFamily is one generator ready to run on objects.
type compiledFamily struct {
	name, help, typ string
	logV            int
	each            *compiledEach
	common          map[string]string
	labels          map[string]valuePath
}

// resolvedResource is one config entry bound to a concrete GVK.
type resolvedResource struct {
	config   ksm.Resource
	gvk      ksm.GroupVersionKind
	gvr      string
	families []compiledFamily
	objects  []map[string]any
}

// Evaluate runs cfg over objects, the installed CRDs unknown (see the
// package comment). The error is only for a config kube-state-metrics would
// refuse as a whole (an invalid type, a missing type block, a bad "[k]"
// segment: KSM then serves no custom-resource metric at all) or for objects
// that are not JSON values.
func Evaluate(cfg ksm.Config, objects []map[string]any) (Result, error) {
	return EvaluateInstalled(cfg, nil, objects)
}

// EvaluateInstalled runs cfg over objects in a cluster with the installed
// CRDs, resolving every resource as kube-state-metrics' discovery does
// (reference §7): a concrete GVK no installed CRD serves is skipped, with a
// notice; a wildcard version and/or kind expands to every served version
// and/or kind of the group; plurals are the CRDs'. With installed nil it is
// Evaluate.
func EvaluateInstalled(cfg ksm.Config, installed []ksm.CRD, objects []map[string]any) (Result, error) {
	var res Result
	objs := make([]map[string]any, 0, len(objects))
	for i, o := range objects {
		n, err := normalize(o)
		if err != nil {
			return Result{}, fmt.Errorf("object %d: %w", i, err)
		}
		objs = append(objs, n)
	}
	sortObjects(objs)

	var entries []ksm.Resource
	for i, r := range cfg.Spec.Resources {
		r = lowerTypes(r)
		gvk := r.GroupVersionKind
		if gvk.Group == "" || gvk.Group == "*" {
			res.Notices = append(res.Notices, fmt.Sprintf("resource %d (%s): group must be concrete; entry skipped", i, gvkString(gvk)))
			continue
		}
		if _, err := compileResource(r, gvk); err != nil {
			return Result{}, fmt.Errorf("failed to create metrics factory for %s: %w", gvkString(gvk), err)
		}
		for _, g := range r.Metrics {
			if g.Each.Type == typeInfo && !strings.HasSuffix(g.Name, "_info") {
				res.Notices = append(res.Notices, fmt.Sprintf("%s: Info metric %q does not have _info suffix", gvkString(gvk), g.Name))
			}
		}
		entries = append(entries, r)
	}

	byGVK := map[ksm.GroupVersionKind]int{}
	var resolved []*resolvedResource
	for _, r := range entries {
		targets := resolveGVKs(r, installed, objs)
		if len(targets) == 0 && installed != nil && !ksm.IsWildcard(r.GroupVersionKind.Version) && !ksm.IsWildcard(r.GroupVersionKind.Kind) {
			res.Notices = append(res.Notices, fmt.Sprintf("%s: no installed CRD serves it; entry skipped", gvkString(r.GroupVersionKind)))
		}
		for _, t := range targets {
			gvk := t.gvk
			families, _ := compileResource(r, gvk) // validated above
			rr := &resolvedResource{config: r, gvk: gvk, gvr: gvrString(gvk, t.plural), families: families}
			if i, dup := byGVK[gvk]; dup {
				res.Notices = append(res.Notices, fmt.Sprintf("%s: configured more than once; the later entry replaces the earlier one", gvkString(gvk)))
				resolved[i] = rr
				continue
			}
			byGVK[gvk] = len(resolved)
			resolved = append(resolved, rr)
		}
	}
	sort.SliceStable(resolved, func(i, j int) bool { return resolved[i].gvr < resolved[j].gvr })

	for _, rr := range resolved {
		res.Resources = append(res.Resources, Resolved{GVK: rr.gvk, Resource: rr.gvr, Config: rr.config})
		for _, o := range objs {
			if ObjectGVK(o) == rr.gvk {
				rr.objects = append(rr.objects, o)
			}
		}
		for _, f := range rr.families {
			fam := Family{Name: f.name, Help: f.help, Type: f.typ, GVK: rr.gvk, Resource: rr.gvr, Objects: len(rr.objects)}
			for _, o := range rr.objects {
				samples, errs := f.generate(o)
				fam.Samples = append(fam.Samples, samples...)
				for _, err := range errs {
					res.Errors = append(res.Errors, GenerationError{Resource: rr.gvr, Object: objectKey(o), Family: f.name, Message: err.Error(), LogV: f.logV})
				}
			}
			res.Families = append(res.Families, fam)
		}
	}
	return res, nil
}

// lowerTypes returns r with every each.type lower-cased (on a copy).
func lowerTypes(r ksm.Resource) ksm.Resource {
	metrics := make([]ksm.Generator, len(r.Metrics))
	copy(metrics, r.Metrics)
	for i := range metrics {
		metrics[i].Each.Type = strings.ToLower(metrics[i].Each.Type)
	}
	r.Metrics = metrics
	return r
}

// compileResource compiles every generator of r for the resolved gvk, whose
// group/version/kind are injected into the resource-level commonLabels.
func compileResource(r ksm.Resource, gvk ksm.GroupVersionKind) ([]compiledFamily, error) {
	resourceCommon := map[string]string{}
	for k, v := range r.CommonLabels {
		resourceCommon[k] = v
	}
	resourceCommon["customresource_group"] = gvk.Group
	resourceCommon["customresource_version"] = gvk.Version
	resourceCommon["customresource_kind"] = gvk.Kind

	prefix := DefaultPrefix
	if r.MetricNamePrefix != nil {
		prefix = *r.MetricNamePrefix
	}
	var out []compiledFamily
	for _, g := range r.Metrics {
		each, err := compileEach(g.Each)
		if err != nil {
			return nil, fmt.Errorf("%s: compiling metric: %w", g.Name, err)
		}
		labels, err := compilePaths(merge(r.LabelsFromPath, g.LabelsFromPath))
		if err != nil {
			return nil, fmt.Errorf("%s: labelsFromPath: %w", g.Name, err)
		}
		name := g.Name
		if prefix != "" {
			name = prefix + "_" + g.Name
		}
		logV := g.ErrorLogV
		if logV == 0 {
			logV = r.ErrorLogV
		}
		out = append(out, compiledFamily{
			name: name, help: g.Help, typ: g.Each.Type, each: each, logV: logV,
			common: merge(resourceCommon, g.CommonLabels),
			labels: labels,
		})
	}
	return out, nil
}

// merge returns base overlaid with over (over wins per key).
func merge[V any](base, over map[string]V) map[string]V {
	out := make(map[string]V, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// generate produces one object's samples for the family: each-labels win,
// family labelsFromPath and then commonLabels fill in missing keys. Series
// are ordered as kube-state-metrics orders them (by the each-labels); ties,
// which KSM leaves in random order, are broken by the full label set.
func (f compiledFamily) generate(obj map[string]any) ([]Sample, []error) {
	base := merge(f.common, nil)
	addPathLabels(obj, f.labels, base)
	values, errs := f.each.values(f.each.path.get(obj))
	full := make([]map[string]string, len(values))
	for i, v := range values {
		full[i] = merge(base, v.labels)
	}
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		va, vb := values[idx[a]], values[idx[b]]
		if lessLabels(va.labels, vb.labels) || lessLabels(vb.labels, va.labels) {
			return lessLabels(va.labels, vb.labels)
		}
		fa, fb := full[idx[a]], full[idx[b]]
		if lessLabels(fa, fb) || lessLabels(fb, fa) {
			return lessLabels(fa, fb)
		}
		return va.value < vb.value
	})
	samples := make([]Sample, len(values))
	for i, j := range idx {
		samples[i] = Sample{Name: f.name, Labels: full[j], Value: values[j].value}
	}
	return samples, errs
}

// target is a concrete GVK a configured resource resolves to, with its plural.
type target struct {
	gvk    ksm.GroupVersionKind
	plural string
}

// resolveGVKs expands a configured resource's GVK, sorted. With installed
// CRDs: every served version and kind of the group matching it (a wildcard
// matches all). Without: a concrete GVK as is, with resourcePlural or the
// kind pluralised; a wildcard becomes every concrete pair seen among objects
// of the group.
func resolveGVKs(r ksm.Resource, installed []ksm.CRD, objs []map[string]any) []target {
	gvk := r.GroupVersionKind
	wildVersion, wildKind := ksm.IsWildcard(gvk.Version), ksm.IsWildcard(gvk.Kind)
	var out []target
	switch {
	case installed != nil:
		for _, c := range installed {
			if c.Group != gvk.Group || (!wildKind && c.Kind != gvk.Kind) {
				continue
			}
			for _, v := range c.Served {
				if wildVersion || v == gvk.Version {
					out = append(out, target{ksm.GroupVersionKind{Group: c.Group, Version: v, Kind: c.Kind}, c.Plural})
				}
			}
		}
	case !wildVersion && !wildKind:
		return []target{{gvk, plural(r, gvk)}}
	default:
		seen := map[ksm.GroupVersionKind]bool{}
		for _, o := range objs {
			og := ObjectGVK(o)
			if og.Group != gvk.Group || (!wildVersion && og.Version != gvk.Version) || (!wildKind && og.Kind != gvk.Kind) || seen[og] {
				continue
			}
			seen[og] = true
			out = append(out, target{og, plural(r, og)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return gvkString(out[i].gvk) < gvkString(out[j].gvk) })
	return out
}

// ObjectGVK reads apiVersion and kind of a decoded object ("v1" is group "", version "v1").
func ObjectGVK(o map[string]any) ksm.GroupVersionKind {
	apiVersion, _ := o["apiVersion"].(string)
	kind, _ := o["kind"].(string)
	group, version, found := strings.Cut(apiVersion, "/")
	if !found {
		group, version = "", apiVersion
	}
	return ksm.GroupVersionKind{Group: group, Version: version, Kind: kind}
}

func objectMeta(o map[string]any) (namespace, name string) {
	meta, _ := o["metadata"].(map[string]any)
	namespace, _ = meta["namespace"].(string)
	name, _ = meta["name"].(string)
	return namespace, name
}

// objectKey is "namespace/name", or "name" for cluster-scoped objects.
func objectKey(o map[string]any) string {
	ns, name := objectMeta(o)
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

// sortObjects orders objects by namespace, then name (stable otherwise).
func sortObjects(objs []map[string]any) {
	sort.SliceStable(objs, func(i, j int) bool {
		ni, mi := objectMeta(objs[i])
		nj, mj := objectMeta(objs[j])
		if ni != nj {
			return ni < nj
		}
		return mi < mj
	})
}

// gvkString is kube-state-metrics' GroupVersionKind.String(): "g_v_k".
func gvkString(g ksm.GroupVersionKind) string {
	return g.Group + "_" + g.Version + "_" + g.Kind
}

// gvrString is schema.GroupVersionResource.String().
func gvrString(g ksm.GroupVersionKind, plural string) string {
	return g.Group + "/" + g.Version + ", Resource=" + plural
}

// normalize deep-copies a decoded object through JSON so that it is typed
// as objects from the API server are: map[string]any, []any, string, bool,
// int64 for integers and float64 otherwise.
func normalize(o map[string]any) (map[string]any, error) {
	data, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	v, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}
