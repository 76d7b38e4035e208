package detect

import (
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/model"
)

// readyPrefixes turn a count's name into the names of its ready part
// (replicas → readyReplicas, availableReplicas), best first.
var readyPrefixes = []string{"ready", "available", "healthy"}

// scaleReplicas uses the scale subresource: its spec path is the desired
// count, and a ready-count sibling of its status path (readyReplicas next to
// replicas) the ready one. A status path without such a sibling counts
// replicas that exist, not replicas that are ready, so it is not used.
func scaleReplicas(d *detector, rule string) {
	sub := d.subresources
	if sub == nil || sub.Scale == nil || d.kind.Replicas != nil {
		return
	}
	desired, ok1 := scalePath(sub.Scale.SpecReplicasPath, "spec")
	statusPath, ok2 := scalePath(sub.Scale.StatusReplicasPath, "status")
	if !ok1 || !ok2 {
		d.note("scale subresource paths %q and %q are not simple .spec and .status field paths, replicas not used", sub.Scale.SpecReplicasPath, sub.Scale.StatusReplicasPath)
		return
	}
	parentPath, name := statusPath[:len(statusPath)-1], statusPath[len(statusPath)-1]
	parent := lookup(d.root, parentPath)
	for _, prefix := range readyPrefixes {
		sibling := prefix + strings.ToUpper(name[:1]) + name[1:]
		if parent == nil {
			break
		}
		if p, ok := parent.Properties[sibling]; ok && p.Type == "integer" {
			d.kind.Replicas = &model.Replicas{
				Desired: field(desired, rule),
				Ready:   field(append(slices.Clip(parentPath), sibling), rule+"+ready-sibling"),
			}
			return
		}
	}
	d.note("scale subresource: %s has no ready-count sibling (%s...), so it is not compared with %s", sub.Scale.StatusReplicasPath, readyPrefixes[0]+strings.ToUpper(name[:1])+name[1:], sub.Scale.SpecReplicasPath)
}

// namePairs are desired/ready field pairs recognised without a scale subresource.
var namePairs = [][2]string{
	{"replicas", "readyReplicas"},
	{"instances", "readyInstances"},
	{"replicas", "availableReplicas"},
}

// replicaNamePair finds well-known spec/status name pairs.
func replicaNamePair(d *detector, rule string) {
	spec, status := lookup(d.root, []string{"spec"}), d.status
	if d.kind.Replicas != nil || spec == nil || status == nil {
		return
	}
	for _, pair := range namePairs {
		ds, dok := spec.Properties[pair[0]]
		rs, rok := status.Properties[pair[1]]
		if dok && rok && ds.Type == "integer" && rs.Type == "integer" {
			d.kind.Replicas = &model.Replicas{
				Desired: field([]string{"spec", pair[0]}, rule),
				Ready:   field([]string{"status", pair[1]}, rule),
			}
			return
		}
	}
}

// healthyCountNames are integer status fields counting healthy members,
// best first; expectedCountNames the totals they should reach.
var (
	healthyCountNames  = []string{"readyReplicas", "numberReady", "currentHealthy", "ready", "readyInstances", "availableReplicas", "numberAvailable", "available", "healthy"}
	expectedCountNames = []string{"desiredReplicas", "desiredNumberScheduled", "expectedMachines", "expected", "desired", "size", "replicas", "instances"}
)

// healthCountPair compares a healthy count with its expected total in the
// same status object (top level or one object down): numberReady with
// desiredNumberScheduled, currentHealthy with expectedMachines, ready with
// size.
func healthCountPair(d *detector, rule string) {
	if d.kind.Replicas != nil || d.status == nil {
		return
	}
	objects := [][]string{{"status"}}
	for _, name := range sortedKeys(d.status.Properties) {
		if p := d.status.Properties[name]; p.Type == "object" && SafeSegment(name) {
			objects = append(objects, []string{"status", name})
		}
	}
	for _, path := range objects {
		s := lookup(d.root, path)
		healthy, ok1 := firstInteger(s, healthyCountNames)
		expected, ok2 := firstInteger(s, expectedCountNames)
		if ok1 && ok2 {
			d.kind.Replicas = &model.Replicas{
				Desired: field(append(slices.Clip(path), expected), rule),
				Ready:   field(append(slices.Clip(path), healthy), rule),
			}
			return
		}
	}
}

// firstInteger returns the first of names that s has as an integer field.
func firstInteger(s *apiextensionsv1.JSONSchemaProps, names []string) (string, bool) {
	if s == nil {
		return "", false
	}
	for _, n := range names {
		if p, ok := s.Properties[n]; ok && p.Type == "integer" {
			return n, true
		}
	}
	return "", false
}

// scalePath splits a scale subresource path such as .spec.replicas into
// segments; it must start with .root and name plain fields, as the API server
// requires.
func scalePath(p, root string) ([]string, bool) {
	segs := strings.Split(strings.TrimPrefix(p, "."), ".")
	if !strings.HasPrefix(p, ".") || len(segs) < 2 || segs[0] != root {
		return nil, false
	}
	for _, s := range segs {
		if !SafeSegment(s) || strings.ContainsAny(s, "[]") {
			return nil, false
		}
	}
	return segs, true
}
