package detect

// Rule is one detection rule. Its Name is recorded on every signal it finds
// (model.Field.Rule) and each rule has a fixture CRD under
// testdata/rules/<name>.yaml whose detected model is pinned by a golden file.
type Rule struct {
	Name       string
	Convention string // the published convention the rule rests on
	// Field, when set, is offered every field below status in walk order; it
	// returns true when it claimed the field (the walk does not descend).
	Field func(d *detector, f statusField, rule string) bool
	// Kind, when set, runs once per kind after the walk.
	Kind func(d *detector, rule string)
}

// Rules is the detection table, in the order rules are tried. Adding a rule
// is adding a file with its function and an entry here, plus its fixture.
var Rules = []Rule{
	{Name: "conditions-list", Field: conditionsList,
		Convention: "Kubernetes API conventions: status.conditions is a list of {type, status, reason, message, lastTransitionTime}"},
	{Name: "nested-conditions-list", Field: nestedConditionsList,
		Convention: "the same condition shape in a list below status (Gateway API's status.parents[].conditions); each of the first 4 elements of the outer list is observed (the first only for a history list)"},
	{Name: "phase-field", Field: phaseField,
		Convention: "a string state field (phase, state, status, health, result, compliant, *Phase, *State, *Status) whose value names the object's state; failure words matched in any case"},
	{Name: "phase-field-enum", Field: phaseFieldEnum,
		Convention: "a state field with an enum: failure, progress and suspended values read from the enum (Failed, *Error, NonCompliant as the negation of Compliant)"},
	{Name: "error-message", Field: errorMessage,
		Convention: "a string status field that holds the controller's last error only while there is one: Cluster API's failureMessage/failureReason (a terminal problem), errorMessage, errorDescription, error, their abbreviations (err, errMsg) and the error of a step (*Error, *Err, *ErrorMessage: reconcileError, syncErr; not lastError), or the message of a status.error object (the CSI snapshotter's, cleared on success); any value means failure"},
	{Name: "readiness-flag", Field: readinessFlag,
		Convention: "a boolean readiness field (ready, healthy, available, readyToUse, success) that is false while the object is not ready"},
	{Name: "expiry-time", Field: expiryTime,
		Convention: "a date-time status field named as a deadline, as X.509 names validity: notAfter, validUntil, *expir* (expiry), notBefore, validFrom (validity start), *renew* (planned renewal); read as Unix seconds like kube-state-metrics' own expiry gauges"},
	{Name: "failure-counter", Field: failureCounter,
		Convention: "an integer status field counting failures: failed*, *Failures, *Errors, or *Attempts whose description speaks of failures; a counter that keeps rising means retries that keep failing"},
	{Name: "untyped-status", Kind: untypedStatus,
		Convention: "kstatus reads status.conditions and status.observedGeneration of any object, whatever its schema: a status left untyped (x-kubernetes-preserve-unknown-fields) is read the same way"},
	{Name: "scale-subresource", Kind: scaleReplicas,
		Convention: "the scale subresource's spec and status replica paths, with a ready-count sibling of the status path preferred"},
	{Name: "replica-name-pair", Kind: replicaNamePair,
		Convention: "Deployment-style spec.replicas with status.readyReplicas or status.availableReplicas"},
	{Name: "health-count-pair", Kind: healthCountPair,
		Convention: "two integer status fields: a ready/available/healthy count and its desired/expected/size sibling (DaemonSet's numberReady and desiredNumberScheduled)"},
	{Name: "replica-family", Kind: replicaFamily,
		Convention: "Deployment status semantics: the integer siblings of the ready count that count current (replicas), available (availableReplicas) and updated (updatedReplicas, Cluster API's upToDateReplicas) replicas; never limits or targets (min*, max*, target*) nor unavailableReplicas"},
	{Name: "observed-generation", Kind: observedGeneration,
		Convention: "Kubernetes API conventions: status.observedGeneration compared with metadata.generation"},
	{Name: "suspend-flag", Kind: suspendFlag,
		Convention: "a boolean spec.suspend or spec.paused (Flux, CronJob, Deployment), also one or two objects down (spec.updateStrategy.paused, spec.updateStrategy.rollingUpdate.paused), never inside an object template"},
}
