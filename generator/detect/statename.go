package detect

// StateName reports whether a field name says it holds the object's state
// (phase, state, status, *Phase, *State...), as the phase-field rule reads
// names. Inference from objects uses it to say why an integer state code
// was left for crdmon.yaml.
func StateName(name string) bool {
	ok, _ := isStateName(name)
	return ok
}
