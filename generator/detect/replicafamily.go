package detect

import (
	"slices"

	"github.com/crdmon/crdmon/generator/model"
)

// Names of the replica family's members, best first (Deployment, StatefulSet
// and DaemonSet status; Cluster API's upToDateReplicas). Only these names
// are members: limits and targets (minReplicas, maxReplicas,
// targetReplicas, desiredReplicas) are not counts of replicas in a state, and
// unavailableReplicas is what the other counts already tell.
var (
	currentNames   = []string{"replicas", "currentReplicas", "instances", "currentNumberScheduled"}
	availableNames = []string{"availableReplicas", "availableInstances", "numberAvailable"}
	updatedNames   = []string{"updatedReplicas", "upToDateReplicas", "updatedInstances", "updatedNumberScheduled"}
)

// replicaFamily completes a desired/ready pair found by an earlier rule with
// the integer siblings of the ready count, in the same status object, that
// count current, available and updated replicas. A sibling that is already
// the desired or the ready count is not a member again: when the ready count
// is availableReplicas, the kind has no separate available member.
func replicaFamily(d *detector, rule string) {
	r := d.kind.Replicas
	if r == nil || len(r.Ready.Path) < 2 {
		return
	}
	parent := r.Ready.Path[:len(r.Ready.Path)-1]
	s := lookup(d.root, parent)
	member := func(names []string) *model.Field {
		for _, n := range names {
			p := append(slices.Clip(parent), n)
			if slices.Equal(p, r.Desired.Path) || slices.Equal(p, r.Ready.Path) {
				continue
			}
			if _, ok := firstInteger(s, []string{n}); ok {
				f := field(p, rule)
				return &f
			}
		}
		return nil
	}
	r.Current, r.Available, r.Updated = member(currentNames), member(availableNames), member(updatedNames)
}
