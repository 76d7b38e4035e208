package simulate

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/model"
)

// served returns the objects as the API server would serve them to
// kube-state-metrics, which watches every kind at the model's version:
//
//   - an object exported at another version of a kind the model knows is
//     taken as served at the watched version, its apiVersion rewritten (the
//     API server converts objects to the version a client asks for; the
//     fields are read as exported, so a conversion that renames fields is
//     not reproduced);
//   - an object without metadata.name, which the API server never serves,
//     is named unnamed-1, unnamed-2... in input order, so that it is still
//     evaluated rather than dropped or merged with another.
//
// The objects given are not modified. converted and unnamed say what was
// changed, one line per apiVersion and kind, sorted.
func served(objects []map[string]any, m model.Model) (out []map[string]any, converted, unnamed []string) {
	type gvk = ksm.GroupVersionKind
	watched := map[[2]string]string{} // group, kind → version
	for _, k := range m.Kinds {
		watched[[2]string{k.Group, k.Kind}] = k.Version
	}
	convertedTo := map[gvk]string{} // exported GVK → watched version
	convertedN := map[gvk]int{}
	named := map[gvk][]string{} // names given to unnamed objects
	nameless := 0
	out = make([]map[string]any, 0, len(objects))
	for _, o := range objects {
		g := ksmeval.ObjectGVK(o)
		v, ok := watched[[2]string{g.Group, g.Kind}]
		if !ok { // a wildcard kind watches every kind of its group
			v, ok = watched[[2]string{g.Group, model.AnyKind}]
		}
		if ok && g.Group != "" && v != g.Version {
			o = withField(o, "apiVersion", g.Group+"/"+v)
			convertedTo[g] = v
			convertedN[g]++
		}
		meta, _ := o["metadata"].(map[string]any)
		if name, _ := meta["name"].(string); name == "" {
			nameless++
			name = fmt.Sprintf("unnamed-%d", nameless)
			o = withField(o, "metadata", withField(meta, "name", name))
			named[g] = append(named[g], name)
		}
		out = append(out, o)
	}
	for g, v := range convertedTo {
		converted = append(converted, fmt.Sprintf("%s ×%d: evaluated as served at %s/%s, the version the generated config watches (the API server converts objects to the version a client asks for)",
			gvkString(g), convertedN[g], g.Group, v))
	}
	for g, names := range named {
		unnamed = append(unnamed, fmt.Sprintf("%s ×%d without metadata.name (the API server always sets one): evaluated as %s",
			gvkString(g), len(names), strings.Join(names, ", ")))
	}
	sort.Strings(converted)
	sort.Strings(unnamed)
	return out, converted, unnamed
}

// withObjectKinds returns installed plus, for every object of a group the
// model has a wildcard kind for (declared in crdmon.yaml, as no input CRD
// shows these kinds), its kind installed at the wildcard's version: in the
// cluster the object's CRD is installed, and the wildcard reaches it.
func withObjectKinds(installed []ksm.CRD, objects []map[string]any, m model.Model) []ksm.CRD {
	wildcards := map[string]string{} // group → version
	for _, k := range m.Kinds {
		if k.Wildcard() {
			wildcards[k.Group] = k.Version
		}
	}
	if len(wildcards) == 0 {
		return installed
	}
	out := slices.Clone(installed)
	for _, o := range objects {
		g := ksmeval.ObjectGVK(o)
		v, ok := wildcards[g.Group]
		if ok && !slices.ContainsFunc(out, func(c ksm.CRD) bool { return c.Group == g.Group && c.Kind == g.Kind }) {
			out = append(out, ksm.CRD{Group: g.Group, Kind: g.Kind, Served: []string{v}})
		}
	}
	return out
}

// withField returns a shallow copy of o (nil: an empty map) with key set to v.
func withField(o map[string]any, key string, v any) map[string]any {
	c := make(map[string]any, len(o)+1)
	for k, x := range o {
		c[k] = x
	}
	c[key] = v
	return c
}

// gvkString prints a GVK as an apiVersion and kind: "group/version Kind".
func gvkString(g ksm.GroupVersionKind) string {
	what := g.Version + " " + g.Kind
	if g.Group != "" {
		what = g.Group + "/" + what
	}
	return what
}
