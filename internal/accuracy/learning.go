package accuracy

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/infer"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/simulate"
)

// runLearning is runCRD for the "schemas + objects" mode: when the CRD file
// holds a kind whose status is untyped, each object is evaluated against a
// generation that learned from the other objects of the file's cases (of
// its kind: inference takes only those), never from itself. The kinds'
// state-like fields are then read from all their objects (see
// stateLikeInObjects), as no schema shows them.
func runLearning(shared, crd string, cases []Case, cfg *config.File) ([]Outcome, error) {
	loaded, err := load.Paths([]string{filepath.Join(shared, crd)}, nil)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(loaded.CRDs, infer.Untyped) {
		return runCRD(shared, crd, cases, cfg)
	}
	objs := make([][]map[string]any, len(cases))
	for i, c := range cases {
		if objs[i], err = simulate.ReadObjects([]string{filepath.Join(shared, c.Object)}, nil); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Object, err)
		}
	}
	out := make([]Outcome, 0, len(cases))
	for i, c := range cases {
		others := []map[string]any{} // not nil: learn even from none
		var ofKind []map[string]any
		for j := range cases {
			if cases[j].Group != c.Group || cases[j].Kind != c.Kind {
				continue
			}
			ofKind = append(ofKind, objs[j]...)
			if j != i {
				others = append(others, objs[j]...)
			}
		}
		opts := simulateOptions(cfg, others)
		opts.Only = []string{generator.ArtifactKSM, generator.ArtifactRules} // what simulate reads
		res, err := generator.FromCRDs(loaded, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", crd, err)
		}
		o, err := evaluateAll(shared, []Case{c}, loaded, res)
		if err != nil {
			return nil, err
		}
		for _, l := range res.Learned {
			if l.Group == c.Group && l.Kind == c.Kind {
				o[0].StateLike = stateLikeInObjects(ofKind)
			}
		}
		out = append(out, o...)
	}
	return out, nil
}

// maxStateLikeDepth bounds how deep stateLikeInObjects looks below status:
// a state under a map keyed by a controller's namespace sits two levels
// down (status.statuses.<namespace>.state).
const maxStateLikeDepth = 3

// stateLikeInObjects is stateLike read from objects instead of a schema:
// the paths, below status and through objects only (not lists), of a
// conditions list, of a string named like a state, or of a boolean named
// like readiness, in any of objs. Like stateLike, it is the harness's own
// reading, kept apart from inference and detection.
func stateLikeInObjects(objs []map[string]any) []string {
	seen := map[string]bool{}
	var walk func(m map[string]any, path string, depth int)
	walk = func(m map[string]any, path string, depth int) {
		for name, v := range m {
			p := path + "." + name
			lower := strings.ToLower(name)
			switch x := v.(type) {
			case []any:
				if lower == "conditions" && depth == 0 {
					seen[p] = true
				}
			case string:
				if affixed(lower, strings.HasSuffix, "phase", "state", "status", "health") {
					seen[p] = true
				}
			case bool:
				if affixed(lower, strings.HasPrefix, "ready", "healthy", "available") {
					seen[p] = true
				}
			case map[string]any:
				if depth < maxStateLikeDepth {
					walk(x, p, depth+1)
				}
			}
		}
	}
	for _, o := range objs {
		if status, ok := o["status"].(map[string]any); ok {
			walk(status, "status", 0)
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
