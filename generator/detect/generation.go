package detect

import "github.com/crdmon/crdmon/generator/model"

// observedGeneration uses an integer status.observedGeneration.
func observedGeneration(d *detector, rule string) {
	if d.status == nil {
		return
	}
	og, ok := d.status.Properties["observedGeneration"]
	if !ok || og.Type != "integer" {
		return
	}
	d.kind.Generation = &model.Generation{Observed: field([]string{"status", "observedGeneration"}, rule)}
}
