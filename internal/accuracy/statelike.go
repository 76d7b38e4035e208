package accuracy

import (
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
)

// stateLikeFields lists the fields of k's status, at the version crdmon
// watches, that hold a health state whatever their kind: a conditions list,
// or a string named phase, state, status or health (or ending in Phase or
// State, like syncPhase or currentState). It is the harness's own reading of
// the schema, kept apart from detection on purpose: it asks "is there
// something a person would read the health from?", and a kind where the
// answer is yes should get a signal.
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
		case lower == "conditions" && p.Type == "array":
			out = append(out, "status."+name)
		case p.Type == "string" && (lower == "phase" || lower == "state" || lower == "status" || lower == "health" ||
			strings.HasSuffix(name, "Phase") || strings.HasSuffix(name, "State")):
			out = append(out, "status."+name)
		}
	}
	sort.Strings(out)
	return out
}
