package accuracy

import (
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
)

// stateLikeFields lists the fields of k's status, at the version crdmon
// watches, that a person would read the object's health from: a conditions
// list; a string named phase, state, status or health, or ending so
// (currentPhase, certificateStatus); a string with an enum (compliant:
// Compliant|NonCompliant); a boolean named ready, healthy or available, or
// starting so (readyToUse). It is the harness's own reading of the schema,
// kept apart from detection on purpose: a kind with such a field should get
// a signal.
func stateLikeFields(loaded *load.Result, k model.Kind) []string {
	for _, crd := range loaded.CRDs {
		if crd.Spec.Group != k.Group || crd.Spec.Names.Kind != k.Kind {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Name != k.Version || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				continue
			}
			status, ok := v.Schema.OpenAPIV3Schema.Properties["status"]
			if !ok {
				return nil
			}
			return stateLike(status)
		}
	}
	return nil
}

func stateLike(status apiextensionsv1.JSONSchemaProps) []string {
	var out []string
	for name, p := range status.Properties {
		lower := strings.ToLower(name)
		switch {
		case lower == "conditions" && p.Type == "array",
			p.Type == "string" && (affixed(lower, strings.HasSuffix, "phase", "state", "status", "health") || len(p.Enum) > 0),
			p.Type == "boolean" && affixed(lower, strings.HasPrefix, "ready", "healthy", "available"):
			out = append(out, "status."+name)
		}
	}
	sort.Strings(out)
	return out
}

// affixed reports whether has(s, a) holds for one of affixes.
func affixed(s string, has func(s, affix string) bool, affixes ...string) bool {
	for _, a := range affixes {
		if has(s, a) {
			return true
		}
	}
	return false
}
