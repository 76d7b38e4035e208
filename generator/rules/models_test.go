package rules

import "github.com/crdmon/crdmon/generator/model"

// Hand-built models for golden and engine tests.

func certificateKind() model.Kind {
	return model.Kind{
		Group: "cert-manager.io", Kind: "Certificate", Plural: "certificates", Version: "v1", Namespaced: true,
		Conditions: []model.ConditionSet{{
			Field:     model.Field{Path: []string{"status", "conditions"}, SchemaPath: "status.conditions"},
			HasStatus: true, HasReason: true, HasTransitionTime: true,
			KnownTypes: []string{"Ready", "Issuing"},
		}},
		Timestamps: []model.Timestamp{
			{Field: model.Field{Path: []string{"status", "notAfter"}, SchemaPath: "status.notAfter"}, Meaning: model.Expiry},
			{Field: model.Field{Path: []string{"status", "notBefore"}, SchemaPath: "status.notBefore"}, Meaning: model.ValidFrom},
			{Field: model.Field{Path: []string{"status", "renewalTime"}, SchemaPath: "status.renewalTime"}, Meaning: model.Renewal},
		},
		Failures: []model.Field{{Path: []string{"status", "failedIssuanceAttempts"}, SchemaPath: "status.failedIssuanceAttempts"}},
	}
}

func crossplaneKind() model.Kind {
	return model.Kind{
		Group: "s3.aws.upbound.io", Kind: "Bucket", Plural: "buckets", Version: "v1beta1",
		Conditions: []model.ConditionSet{{
			Field:     model.Field{Path: []string{"status", "conditions"}, SchemaPath: "status.conditions"},
			HasStatus: true, HasReason: true, HasTransitionTime: true,
			KnownTypes: []string{"Ready", "Synced", "LastAsyncOperation"},
		}},
	}
}

func workloadKind() model.Kind {
	return model.Kind{
		Group: "apps.example.com", Kind: "WebApplication", Plural: "webapplications", Version: "v1alpha1", Namespaced: true,
		Conditions: []model.ConditionSet{{
			Field:     model.Field{Path: []string{"status", "conditions"}, SchemaPath: "status.conditions"},
			HasStatus: true,
		}},
		Replicas: &model.Replicas{
			Desired:   model.Field{Path: []string{"spec", "replicas"}, SchemaPath: "spec.replicas"},
			Ready:     model.Field{Path: []string{"status", "readyReplicas"}, SchemaPath: "status.readyReplicas"},
			Current:   &model.Field{Path: []string{"status", "replicas"}, SchemaPath: "status.replicas"},
			Available: &model.Field{Path: []string{"status", "availableReplicas"}, SchemaPath: "status.availableReplicas"},
			Updated:   &model.Field{Path: []string{"status", "updatedReplicas"}, SchemaPath: "status.updatedReplicas"},
		},
		Generation: &model.Generation{Observed: model.Field{Path: []string{"status", "observedGeneration"}, SchemaPath: "status.observedGeneration"}},
		Phases: []model.Phase{{
			Field:   model.Field{Path: []string{"status", "phase"}, SchemaPath: "status.phase"},
			Values:  []string{"Pending", "Running", "Failed"},
			Failure: []string{"Failed"},
		}},
		Suspend: &model.Field{Path: []string{"spec", "suspend"}, SchemaPath: "spec.suspend"},
	}
}

// gatewayKind has nested conditions without transition time next to top-level ones,
// and a condition list without status fields.
func gatewayKind() model.Kind {
	return model.Kind{
		Group: "gateway.example.io", Kind: "Route", Plural: "routes", Version: "v1", Namespaced: true,
		Conditions: []model.ConditionSet{
			{
				Field:     model.Field{Path: []string{"status", "conditions"}, SchemaPath: "status.conditions"},
				HasStatus: true, HasTransitionTime: true, KnownTypes: []string{"Accepted", "Degraded"},
			},
			{
				Field: model.Field{Path: []string{"status", "parents", "0", "conditions"}, SchemaPath: "status.parents[].conditions"},
				Scope: "status.parents[0]", HasStatus: true, HasReason: true, KnownTypes: []string{"Accepted", "ResolvedRefs"},
			},
		},
	}
}

// presenceKind has a condition list without status: present means True.
func presenceKind() model.Kind {
	return model.Kind{
		Group: "gateway.example.io", Kind: "Listener", Plural: "listeners", Version: "v1",
		Conditions: []model.ConditionSet{{
			Field:      model.Field{Path: []string{"status", "conditions"}, SchemaPath: "status.conditions"},
			KnownTypes: []string{"Ready", "Progressing", "Failed"},
		}},
		Phases: []model.Phase{{Field: model.Field{Path: []string{"status", "state"}, SchemaPath: "status.state"}}},
	}
}

// constraintKind has only signals declared in crdmon.yaml (its status is
// untyped): a problem counter, and a readiness flag in a list's first element.
func constraintKind() model.Kind {
	return model.Kind{
		Group: "policy.example.io", Kind: "RequiredLabels", Plural: "requiredlabels", Version: "v1beta1",
		Phases: []model.Phase{{
			Field:  model.Field{Path: []string{"status", "byPod", "0", "enforced"}, SchemaPath: "status.byPod[].enforced", Rule: model.RuleDeclared, Line: 11},
			Values: []string{"true", "false"}, Progress: []string{"false"},
		}},
		Problems: []model.Field{{Path: []string{"status", "totalViolations"}, SchemaPath: "status.totalViolations", Rule: model.RuleDeclared, Line: 9}},
	}
}

// wildcardKind stands for every kind of its group (declared in crdmon.yaml
// for kinds created at run time): alerts per group, naming no kind.
func wildcardKind() model.Kind {
	k := constraintKind()
	k.Group, k.Kind, k.Plural, k.Namespaced = "dynamic.example.io", model.AnyKind, "", true
	return k
}

func testModel() model.Model {
	return model.Model{Kinds: []model.Kind{workloadKind(), certificateKind(), gatewayKind(), presenceKind(), crossplaneKind(), constraintKind(), wildcardKind()}}
}
