package infer

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/detect"
)

// maxDepth bounds the walk of object values, as detection bounds its walk
// of schemas.
const maxDepth = 12

// maxShown bounds the example keys and values a note quotes.
const maxShown = 3

// sample is one value at a path, and the object it came from.
type sample struct {
	obj int
	v   any
}

// learner infers a schema from samples, counting per schema path how many
// objects show a value there and noting what it leaves out.
type learner struct {
	seen  map[string]int // schema path (status.parents[].conditions) → objects with a value there
	notes []string
}

// Schema infers the OpenAPI schema of the values objects hold at path (one
// value per object, nil where an object has none): a string, boolean,
// integer or number from the values; a list from all its elements; an
// object from its keys, or, when its keys differ between objects, a map that
// kube-state-metrics cannot follow (a note says so). A field whose values
// disagree on their type is left out with a note; one holding both strings
// and integers is a string (kube-state-metrics reads both as text). It
// returns nil when no object has a value, and per schema path how many
// objects have one.
func Schema(path string, values []any) (schema *apiextensionsv1.JSONSchemaProps, seen map[string]int, notes []string) {
	l := &learner{seen: map[string]int{}}
	var samples []sample
	for i, v := range values {
		if v != nil {
			samples = append(samples, sample{i, v})
		}
	}
	return l.infer(path, samples, 0), l.seen, l.notes
}

func (l *learner) note(format string, args ...any) {
	l.notes = append(l.notes, fmt.Sprintf(format, args...))
}

// JSON types of decoded values.
const (
	tObject  = "object"
	tArray   = "array"
	tString  = "string"
	tInteger = "integer"
	tNumber  = "number"
	tBoolean = "boolean"
)

func typeOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return tObject
	case []any:
		return tArray
	case string:
		return tString
	case bool:
		return tBoolean
	case int, int32, int64:
		return tInteger
	case float32, float64:
		return tNumber
	}
	return ""
}

// infer returns the schema of samples at path, nil when there is none to
// give.
func (l *learner) infer(path string, samples []sample, depth int) *apiextensionsv1.JSONSchemaProps {
	samples = slices.DeleteFunc(slices.Clone(samples), func(s sample) bool { return s.v == nil })
	if len(samples) == 0 {
		return nil
	}
	objs := map[int]bool{}
	byType := map[string]int{}
	for _, s := range samples {
		objs[s.obj] = true
		byType[typeOf(s.v)]++
	}
	l.seen[path] = len(objs)
	if depth > maxDepth {
		l.note("%s: deeper than %d levels, not learned", path, maxDepth)
		return nil
	}
	t, ok := l.unify(path, byType, samples)
	if !ok {
		return nil
	}
	name := path[strings.LastIndexAny(path, ".]")+1:]
	switch t {
	case tString:
		s := &apiextensionsv1.JSONSchemaProps{Type: tString}
		if allTimestamps(samples) {
			s.Format = "date-time"
		}
		return s
	case tInteger:
		if detect.StateName(name) {
			l.note("%s: integer state codes (%s) name no state: not learned; declare it in crdmon.yaml as a phase with the codes that mean failure", path, shown(values(samples)))
		}
		return &apiextensionsv1.JSONSchemaProps{Type: tInteger}
	case tNumber, tBoolean:
		return &apiextensionsv1.JSONSchemaProps{Type: t}
	case tArray:
		var elems []sample
		for _, s := range samples {
			for _, e := range s.v.([]any) {
				elems = append(elems, sample{s.obj, e})
			}
		}
		items := l.infer(path+"[]", elems, depth+1)
		if items == nil {
			return &apiextensionsv1.JSONSchemaProps{Type: tArray, XPreserveUnknownFields: ptr(true)}
		}
		return &apiextensionsv1.JSONSchemaProps{Type: tArray, Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: items}}
	}
	return l.object(path, samples, depth)
}

// unify picks the one type of the samples, or notes why the field is left
// out.
func (l *learner) unify(path string, byType map[string]int, samples []sample) (string, bool) {
	if byType[""] > 0 {
		l.note("%s: a value of no JSON type: not learned", path)
		return "", false
	}
	switch {
	case len(byType) == 1:
		for t := range byType {
			return t, true
		}
	case len(byType) == 2 && byType[tInteger] > 0 && byType[tNumber] > 0:
		return tNumber, true
	case byType[tString] > 0 && byType[tString]+byType[tInteger] == len(samples):
		var ints []string
		for _, s := range samples {
			if typeOf(s.v) == tInteger {
				ints = append(ints, fmt.Sprint(s.v))
			}
		}
		l.note("%s: strings in %d values, integers (%s) in %d: learned as a string (kube-state-metrics reads both as text); integer codes match no state word, declare them in crdmon.yaml", path, byType[tString], shown(ints), byType[tInteger])
		return tString, true
	}
	var parts []string
	for _, t := range []string{tObject, tArray, tString, tInteger, tNumber, tBoolean} {
		if n := byType[t]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s in %d", t, n))
		}
	}
	l.note("%s: the objects disagree on its type (%s): not learned", path, strings.Join(parts, ", "))
	return "", false
}

// object infers an object's fields from its keys; when keys differ between
// objects (no key is shared by two objects that both have keys), it is a map
// keyed by names that differ per install, which kube-state-metrics paths
// cannot name.
func (l *learner) object(path string, samples []sample, depth int) *apiextensionsv1.JSONSchemaProps {
	byKey := map[string][]sample{}
	var keySets [][]string
	for _, s := range samples {
		m := s.v.(map[string]any)
		keys := make([]string, 0, len(m))
		for k, v := range m {
			byKey[k] = append(byKey[k], sample{s.obj, v})
			keys = append(keys, k)
		}
		if len(keys) > 0 {
			keySets = append(keySets, keys)
		}
	}
	if depth > 0 && varyingKeys(keySets) { // a status is never a map
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		l.note("%s: a map whose keys differ between objects (%s): kube-state-metrics paths name fixed keys, so the fields below it are not learned; declare the key your install uses in crdmon.yaml", path, shown(keys))
		return &apiextensionsv1.JSONSchemaProps{Type: tObject, XPreserveUnknownFields: ptr(true)}
	}
	s := &apiextensionsv1.JSONSchemaProps{Type: tObject, Properties: map[string]apiextensionsv1.JSONSchemaProps{}}
	for k, vs := range byKey {
		if p := l.infer(path+"."+k, vs, depth+1); p != nil {
			s.Properties[k] = *p
		}
	}
	if len(s.Properties) == 0 {
		s.Properties = nil
		s.XPreserveUnknownFields = ptr(true)
	}
	return s
}

// varyingKeys reports whether two of the objects' key sets share no key: a
// struct's objects share their required fields, a map's objects (keyed by a
// namespace, a controller name) need not.
func varyingKeys(sets [][]string) bool {
	for i := range sets {
		for j := i + 1; j < len(sets); j++ {
			if !slices.ContainsFunc(sets[i], func(k string) bool { return slices.Contains(sets[j], k) }) {
				return true
			}
		}
	}
	return false
}

func allTimestamps(samples []sample) bool {
	for _, s := range samples {
		if _, err := time.Parse(time.RFC3339, s.v.(string)); err != nil {
			return false
		}
	}
	return true
}

func values(samples []sample) []string {
	var out []string
	for _, s := range samples {
		if v := fmt.Sprint(s.v); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// shown lists up to maxShown items, and how many more there are.
func shown(items []string) string {
	if len(items) <= maxShown {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:maxShown], ", "), len(items)-maxShown)
}

func ptr[T any](v T) *T { return &v }
