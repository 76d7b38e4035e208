package detect

import (
	"strings"

	"github.com/crdmon/crdmon/generator/model"
)

// observedGeneration uses an integer status.observedGeneration, else the
// first integer status field named last*Generation (lastEvaluatedGeneration,
// lastObservedGeneration): the generation the controller last acted on.
// Other *Generation fields (a scheduler's, a child's) are not the object's.
func observedGeneration(d *detector, rule string) {
	if d.status == nil {
		return
	}
	for _, name := range append([]string{"observedGeneration"}, sortedKeys(d.status.Properties)...) {
		p, ok := d.status.Properties[name]
		lower := strings.ToLower(name)
		if ok && p.Type == "integer" && (name == "observedGeneration" ||
			strings.HasPrefix(lower, "last") && strings.HasSuffix(lower, "generation")) {
			d.kind.Generation = &model.Generation{Observed: field([]string{"status", name}, rule)}
			return
		}
	}
}
