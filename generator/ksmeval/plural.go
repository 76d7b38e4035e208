package ksmeval

import (
	"strings"

	"github.com/crdmon/crdmon/generator/ksm"
)

// irregularPlurals are the flect irregulars plausible as kind names.
var irregularPlurals = map[string]string{
	"index": "indices", "matrix": "matrices", "vertex": "vertices",
	"person": "people", "child": "children", "data": "data",
}

// plural is the resource name used to order resources: resourcePlural when
// set on a concrete GVK, else lower(pluralize(kind)).
func plural(r ksm.Resource, gvk ksm.GroupVersionKind) string {
	if r.ResourcePlural != "" && r.GroupVersionKind.Kind == gvk.Kind {
		return r.ResourcePlural
	}
	return pluralize(strings.ToLower(gvk.Kind))
}

// pluralize approximates flect.Pluralize on a lower-cased kind.
func pluralize(s string) string {
	for word, p := range irregularPlurals {
		if strings.HasSuffix(s, word) {
			return s[:len(s)-len(word)] + p
		}
	}
	switch {
	case s == "":
		return s
	case strings.HasSuffix(s, "ss"), strings.HasSuffix(s, "us"), strings.HasSuffix(s, "is"),
		strings.HasSuffix(s, "x"), strings.HasSuffix(s, "z"), strings.HasSuffix(s, "ch"), strings.HasSuffix(s, "sh"):
		return s + "es"
	case strings.HasSuffix(s, "s"):
		// Kinds like K8sRequiredLabels or Endpoints already read as plural.
		return s
	case strings.HasSuffix(s, "y") && len(s) > 1 && !strings.ContainsRune("aeiou", rune(s[len(s)-2])):
		return s[:len(s)-1] + "ies"
	}
	return s + "s"
}
