package detect

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/model"
)

// untypedStatus reads an untyped status (x-kubernetes-preserve-unknown-fields,
// no fields listed, on status or on the whole object) the way kstatus reads any object: a status.conditions
// list of metav1.Condition and status.observedGeneration. An object that has
// neither gives no series; signals the kind really has are declared in
// crdmon.yaml or learned from objects (crdmon init --objects).
func untypedStatus(d *detector, rule string) {
	untyped := func(s apiextensionsv1.JSONSchemaProps) bool {
		return len(s.Properties) == 0 && s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields
	}
	status, ok := d.root.Properties["status"]
	if d.status != nil || !(ok && untyped(status) || !ok && untyped(*d.root)) {
		return
	}
	d.kind.Conditions = append(d.kind.Conditions, model.ConditionSet{
		Field:     model.Field{Path: []string{"status", "conditions"}, SchemaPath: "status.conditions[]", Rule: rule},
		HasStatus: true, HasReason: true, HasTransitionTime: true, Assumed: true,
	})
	d.kind.Generation = &model.Generation{Observed: field([]string{"status", "observedGeneration"}, rule)}
	d.note("status is untyped: read as kstatus reads any object, status.conditions[] and status.observedGeneration, if the controller writes them")
}
