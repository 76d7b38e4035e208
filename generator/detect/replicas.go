package detect

import (
	"fmt"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/model"
)

// readyNames maps a scale status field to the sibling fields that count the
// ready part of the same quantity, best first. Other status paths (such as
// Prometheus' shards) are used as they are.
var readyNames = map[string][]string{
	"replicas":  {"readyReplicas", "availableReplicas"},
	"instances": {"readyInstances"},
}

// namePairs are desired/ready field pairs recognised without a scale subresource.
var namePairs = [][2]string{
	{"replicas", "readyReplicas"},
	{"instances", "readyInstances"},
	{"replicas", "availableReplicas"},
}

// replicas finds desired and ready replica counts: the scale subresource
// first (with a ready-count sibling of its status path when there is one),
// then well-known spec/status name pairs. The note says why a scale
// subresource was not used.
func replicas(root *apiextensionsv1.JSONSchemaProps, sub *apiextensionsv1.CustomResourceSubresources) (*model.Replicas, string) {
	if sub != nil && sub.Scale != nil {
		desired, ok1 := scalePath(sub.Scale.SpecReplicasPath, "spec")
		statusPath, ok2 := scalePath(sub.Scale.StatusReplicasPath, "status")
		if !ok1 || !ok2 {
			return nil, fmt.Sprintf("scale subresource paths %q and %q are not simple .spec and .status field paths, replicas not used", sub.Scale.SpecReplicasPath, sub.Scale.StatusReplicasPath)
		}
		r := &model.Replicas{
			Desired: field(desired, "scale-subresource"),
			Ready:   field(statusPath, "scale-subresource"),
		}
		parent := lookup(root, statusPath[:len(statusPath)-1])
		for _, name := range readyNames[statusPath[len(statusPath)-1]] {
			if parent == nil {
				break
			}
			if p, ok := parent.Properties[name]; ok && p.Type == "integer" {
				ready := append(append([]string(nil), statusPath[:len(statusPath)-1]...), name)
				r.Ready = field(ready, "scale-subresource+ready-sibling")
				break
			}
		}
		return r, ""
	}
	spec, status := lookup(root, []string{"spec"}), lookup(root, []string{"status"})
	if spec == nil || status == nil {
		return nil, ""
	}
	for _, pair := range namePairs {
		d, dok := spec.Properties[pair[0]]
		r, rok := status.Properties[pair[1]]
		if dok && rok && d.Type == "integer" && r.Type == "integer" {
			return &model.Replicas{
				Desired: field([]string{"spec", pair[0]}, "replica-name-pair"),
				Ready:   field([]string{"status", pair[1]}, "replica-name-pair"),
			}, ""
		}
	}
	return nil, ""
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

func field(path []string, rule string) model.Field {
	return model.Field{Path: path, SchemaPath: strings.Join(path, "."), Rule: rule}
}

// lookup follows object properties; nil when the path is not in the schema.
func lookup(s *apiextensionsv1.JSONSchemaProps, path []string) *apiextensionsv1.JSONSchemaProps {
	for _, name := range path {
		if s == nil {
			return nil
		}
		p, ok := s.Properties[name]
		if !ok {
			return nil
		}
		s = &p
	}
	return s
}
