package dashboards

import "github.com/crdmon/crdmon/generator/model"

// Hand-built models, shaped like what detection finds in real CRDs.

func field(schemaPath string, path ...string) model.Field {
	return model.Field{Path: path, SchemaPath: schemaPath, Rule: "test"}
}

// certificate is like cert-manager's Certificate: conditions, timestamps and
// a failure counter.
func certificate() model.Kind {
	return model.Kind{
		Group: "cert-manager.io", Kind: "Certificate", Plural: "certificates", Version: "v1", Namespaced: true,
		Conditions: []model.ConditionSet{{
			Field:     field("status.conditions", "status", "conditions"),
			HasStatus: true, HasReason: true, HasTransitionTime: true,
			KnownTypes: []string{"Issuing", "Ready"},
		}},
		Timestamps: []model.Timestamp{
			{Field: field("status.notAfter", "status", "notAfter"), Meaning: model.Expiry},
			{Field: field("status.renewalTime", "status", "renewalTime"), Meaning: model.Renewal},
		},
		Failures: []model.Field{field("status.failedIssuanceAttempts", "status", "failedIssuanceAttempts")},
	}
}

// machineDeployment is like Cluster API's MachineDeployment: conditions,
// the replica family, observedGeneration, a phase enum and spec.paused.
func machineDeployment() model.Kind {
	return model.Kind{
		Group: "cluster.x-k8s.io", Kind: "MachineDeployment", Plural: "machinedeployments", Version: "v1beta1", Namespaced: true,
		Conditions: []model.ConditionSet{{
			Field:     field("status.conditions", "status", "conditions"),
			HasStatus: true, HasReason: true, HasTransitionTime: true,
			KnownTypes: []string{"Available", "Ready"},
		}},
		Replicas: &model.Replicas{
			Desired:   field("spec.replicas", "spec", "replicas"),
			Ready:     field("status.readyReplicas", "status", "readyReplicas"),
			Current:   ptr(field("status.replicas", "status", "replicas")),
			Available: ptr(field("status.availableReplicas", "status", "availableReplicas")),
			Updated:   ptr(field("status.upToDateReplicas", "status", "upToDateReplicas")),
		},
		Generation: &model.Generation{Observed: field("status.observedGeneration", "status", "observedGeneration")},
		Phases: []model.Phase{{
			Field:    field("status.phase", "status", "phase"),
			Values:   []string{"ScalingUp", "ScalingDown", "Running", "Failed", "Unknown"},
			Failure:  []string{"Failed"},
			Progress: []string{"ScalingUp", "ScalingDown"},
		}},
		Suspend: &model.Field{Path: []string{"spec", "paused"}, SchemaPath: "spec.paused", Rule: "test"},
	}
}

// oddKinds are shapes the golden kinds do not cover: a cluster-scoped kind
// whose conditions have no status field, a nested condition list, a kind
// with two phase fields and no conditions, a kind with only a problem
// counter and a readiness flag (as declared in crdmon.yaml), a wildcard kind
// (every kind of its group, declared in crdmon.yaml), and a kind without
// signals.
func oddKinds() []model.Kind {
	return []model.Kind{
		{
			Group: "example.io", Kind: "Gateway", Plural: "gateways", Version: "v1", Namespaced: true,
			Conditions: []model.ConditionSet{{
				Field: field("status.parents[].conditions", "status", "parents", "0", "conditions"),
				Scope: "status.parents[0]", HasStatus: true, HasReason: true, HasTransitionTime: true,
				KnownTypes: []string{"Accepted", "Programmed"},
			}},
		},
		{
			Group: "example.io", Kind: "Pipeline", Plural: "pipelines", Version: "v1", Namespaced: true,
			Phases: []model.Phase{
				{Field: field("status.phase", "status", "phase")},
				{Field: field("status.state", "status", "state"), Values: []string{"Idle", "Running", "Broken"}, Failure: []string{"Broken"}},
			},
		},
		{
			Group: "example.io", Kind: "Policy", Plural: "policies", Version: "v1", Namespaced: false,
			Conditions: []model.ConditionSet{{Field: field("status.conditions", "status", "conditions")}},
		},
		{Group: "example.io", Kind: "Quiet", Plural: "quiets", Version: "v1", Namespaced: true},
		{
			Group: "policy.example.io", Kind: "RequiredLabels", Plural: "requiredlabels", Version: "v1beta1", Namespaced: false,
			Phases: []model.Phase{{
				Field:  field("status.byPod[].enforced", "status", "byPod", "0", "enforced"),
				Values: []string{"true", "false"}, Progress: []string{"false"},
			}},
			Problems: []model.Field{field("status.totalViolations", "status", "totalViolations")},
		},
		{
			Group: "dynamic.example.io", Kind: model.AnyKind, Version: "v1", Namespaced: true,
			Problems: []model.Field{field("status.errors", "status", "errors")},
		},
		{
			Group: "scale.example.io", Kind: "Pool", Plural: "pools", Version: "v1", Namespaced: false,
			Replicas: &model.Replicas{
				Desired: field("spec.size", "spec", "size"),
				Ready:   field("status.readyMembers", "status", "readyMembers"),
			},
		},
	}
}

func goldenModel() model.Model {
	return model.Model{Kinds: []model.Kind{certificate(), machineDeployment()}}
}

func allModel() model.Model {
	return model.Model{Kinds: append([]model.Kind{certificate(), machineDeployment()}, oddKinds()...)}
}
