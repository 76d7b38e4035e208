package simulate

import (
	"fmt"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/ksmeval"
)

// Series returns the series kube-state-metrics would serve for objects
// under res's config, as Run computes them (and `crdmon simulate --series`
// prints them): objects taken as the API server would serve them, the
// config's wildcards reaching the kinds the objects bring.
func Series(res *generator.Result, objects []map[string]any) (ksmeval.Result, error) {
	objects, _, _ = served(objects, res.Model)
	ev, err := ksmeval.EvaluateInstalled(res.KSM, withObjectKinds(res.Installed, objects, res.Model), objects)
	if err != nil {
		return ksmeval.Result{}, fmt.Errorf("kube-state-metrics config: %w", err)
	}
	return ev, nil
}
