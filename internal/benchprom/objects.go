package benchprom

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/crdmon/crdmon/generator/budget"
	"github.com/crdmon/crdmon/generator/model"
)

// Epoch is the time every synthetic timestamp is measured from: conditions
// last changed then, so every duration threshold has passed by any later
// run; expiry and renewal deadlines are Epoch plus Future (healthy) or minus
// a day (broken).
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Future is how far after Epoch a healthy object's deadlines lie.
const Future = 50 * 365 * 24 * time.Hour

// generation is metadata.generation of every synthetic object.
const generation = 2

// Object is one synthetic custom resource.
type Object struct {
	Kind model.Kind
	Obj  map[string]any // the object as the API server serves it
	// Fault says how the object was broken ("Ready=False", "status.phase=Failed"...),
	// empty for a healthy object.
	Fault string
}

// PickKinds returns k kinds of m that have health signals, group by group:
// every such kind of a group, from groups spread evenly over m's order,
// until there are k (the last group may give only some of its kinds). It
// returns all of them when k <= 0 or k exceeds their number. Wildcard
// kinds, which no CRD shows, are left out. Whole groups keep the objects'
// rules apart from the others' as a --group filter sees them.
func PickKinds(m model.Model, k int) []model.Kind {
	var groups [][]model.Kind
	total := 0
	for _, kind := range m.Kinds {
		if !kind.HasSignals() || kind.Wildcard() {
			continue
		}
		if n := len(groups); n == 0 || groups[n-1][0].Group != kind.Group {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], kind)
		total++
	}
	if k <= 0 || k >= total {
		return slices.Concat(groups...)
	}
	stride := max(1, total/k)
	var out []model.Kind
	for offset := 0; len(out) < k; offset++ {
		for i := offset; i < len(groups) && len(out) < k; i += stride {
			if groups[i] == nil {
				continue
			}
			out = append(out, groups[i][:min(len(groups[i]), k-len(out))]...)
			groups[i] = nil
		}
	}
	return out
}

// Groups returns the API groups of kinds, in order.
func Groups(kinds []model.Kind) []string {
	var out []string
	for _, k := range kinds {
		if !slices.Contains(out, k.Group) {
			out = append(out, k.Group)
		}
	}
	return out
}

// Synthesize returns n objects spread round-robin over kinds, the same for
// the same arguments: a fraction broken of them (rounded to the nearest
// object, picked at random from seed) carry one fault crdmon detects,
// chosen among those their kind's signals allow; the others are healthy.
// An object whose kind allows no fault stays healthy.
func Synthesize(kinds []model.Kind, n int, seed uint64, broken float64) []Object {
	if len(kinds) == 0 || n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x6372646d6f6e))
	nBroken := int(float64(n)*broken + 0.5)
	isBroken := make([]bool, n)
	for _, i := range rng.Perm(n)[:min(max(nBroken, 0), n)] {
		isBroken[i] = true
	}
	out := make([]Object, n)
	for i := range out {
		k := kinds[i%len(kinds)]
		o := Object{Kind: k, Obj: healthy(k, i)}
		if isBroken[i] {
			if faults := Faults(k); len(faults) > 0 {
				f := faults[rng.IntN(len(faults))]
				f.apply(o.Obj)
				o.Fault = f.Name
			}
		}
		out[i] = o
	}
	return out
}

// Maps returns the objects' maps, as simulate and ksmeval take them.
func Maps(objs []Object) []map[string]any {
	out := make([]map[string]any, len(objs))
	for i, o := range objs {
		out[i] = o.Obj
	}
	return out
}

// healthy returns object i of kind k in a healthy state: every signal the
// kind has set to its healthy value.
func healthy(k model.Kind, i int) map[string]any {
	meta := map[string]any{
		"name":              fmt.Sprintf("%s-%05d", strings.ToLower(k.Kind), i),
		"generation":        int64(generation),
		"creationTimestamp": Epoch.Format(time.RFC3339),
		"uid":               fmt.Sprintf("00000000-0000-0000-0000-%012d", i),
	}
	if k.Namespaced {
		meta["namespace"] = fmt.Sprintf("bench-%d", i%7)
	}
	o := map[string]any{
		"apiVersion": k.Group + "/" + k.Version,
		"kind":       k.Kind,
		"metadata":   meta,
		"spec":       map[string]any{},
	}
	for _, cs := range k.Conditions {
		budget.SetPath(o, cs.Path, conditionList(k, cs, "", ""))
	}
	if k.Replicas != nil {
		setReplicas(o, *k.Replicas, 3)
	}
	if g := k.Generation; g != nil {
		budget.SetPath(o, g.Observed.Path, int64(generation))
	}
	for _, p := range k.Phases {
		if v, ok := healthyPhase(p); ok {
			budget.SetPath(o, p.Path, v)
		}
	}
	if s := k.Suspend; s != nil {
		budget.SetPath(o, s.Path, false)
	}
	for _, ts := range k.Timestamps {
		at := Epoch.Add(Future)
		if ts.Meaning == model.ValidFrom {
			at = Epoch
		}
		budget.SetPath(o, ts.Path, at.Format(time.RFC3339))
	}
	for _, f := range k.Failures {
		budget.SetPath(o, f.Path, int64(0))
	}
	for _, f := range k.Problems {
		budget.SetPath(o, f.Path, int64(0))
	}
	return o
}

// conditionTypes are the condition types a healthy object reports in cs:
// the types its schema names that have a known polarity, else Ready.
func conditionTypes(k model.Kind, cs model.ConditionSet) []string {
	var out []string
	for _, t := range cs.KnownTypes {
		if p := k.PolarityOf(t); p != model.Neutral && !model.IsSuspendedValue(t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		out = []string{"Ready"}
	}
	return out
}

// conditionList is the condition list cs holds: every type of
// conditionTypes with its healthy status, except faulty, which has status
// and a failure reason.
func conditionList(k model.Kind, cs model.ConditionSet, faulty, status string) []any {
	var out []any
	for _, t := range conditionTypes(k, cs) {
		if t == faulty {
			out = append(out, condition(cs, t, status, "ReconcileFailed"))
			continue
		}
		st := healthyStatus(k.PolarityOf(t))
		reason := "AsExpected"
		if st == "False" {
			reason = "NotApplicable"
		}
		out = append(out, condition(cs, t, st, reason))
	}
	return out
}

func healthyStatus(p model.Polarity) string {
	if p == model.Positive {
		return "True"
	}
	return "False"
}

// condition is one element of a condition list with the fields cs has.
func condition(cs model.ConditionSet, typ, status, reason string) map[string]any {
	c := map[string]any{"type": typ, "message": "synthetic " + reason}
	if cs.HasStatus {
		c["status"] = status
	}
	if cs.HasReason {
		c["reason"] = reason
	}
	if cs.HasTransitionTime {
		c["lastTransitionTime"] = Epoch.Format(time.RFC3339)
	}
	return c
}

// healthyPhase is a value of p that means healthy: one of the healthy words
// among its enum, else an enum value that is neither failure, progress nor
// a pause, else (no enum) "Healthy". An error field stays unset.
func healthyPhase(p model.Phase) (string, bool) {
	if p.Error {
		return "", false
	}
	if len(p.Values) == 0 {
		return "Healthy", true
	}
	for _, v := range p.Values {
		if slices.Contains(model.HealthyPhases, strings.ToLower(v)) {
			return v, true
		}
	}
	for _, v := range p.Values {
		if !slices.Contains(p.Failure, v) && !slices.Contains(p.Progress, v) && !slices.Contains(p.Suspended, v) &&
			!model.IsSuspendedValue(v) && !model.IsFailurePhase(v) && !slices.Contains(model.ProgressPhases, strings.ToLower(v)) {
			return v, true
		}
	}
	return "", false
}

// Fault is one way to break an object of a kind.
type Fault struct {
	Name  string
	apply func(o map[string]any)
}

// Faults lists the ways an object of k can be broken that crdmon's
// conventions call trouble: a positive condition False or a negative one
// True (with a failure reason), a failure phase or error message, fewer
// ready replicas than desired, an expired deadline, a stale
// observedGeneration. Failure counters are left at zero: their alerts read
// an increase, which series that do not change never show.
func Faults(k model.Kind) []Fault {
	var out []Fault
	for _, cs := range k.Conditions {
		if !cs.HasStatus {
			continue
		}
		for _, t := range conditionTypes(k, cs) {
			status := ""
			switch k.PolarityOf(t) {
			case model.Positive:
				status = "False"
			case model.Negative:
				status = "True"
			default:
				continue
			}
			out = append(out, Fault{Name: cs.SchemaPath + ":" + t + "=" + status, apply: func(o map[string]any) {
				budget.SetPath(o, cs.Path, conditionList(k, cs, t, status))
			}})
		}
	}
	for _, p := range k.Phases {
		v := ""
		switch {
		case p.Error:
			v = "synthetic failure"
		case len(p.Failure) > 0:
			v = p.Failure[0]
		case len(p.Values) == 0:
			v = "Failed"
		default:
			continue
		}
		out = append(out, Fault{Name: p.SchemaPath + "=" + v, apply: func(o map[string]any) { budget.SetPath(o, p.Path, v) }})
	}
	// A true top-level Ready condition outranks replica counts (kstatus): an
	// object that reports Ready is not broken by them.
	if r := k.Replicas; r != nil && !reportsReady(k) {
		out = append(out, Fault{Name: r.Ready.SchemaPath + "<desired", apply: func(o map[string]any) { setReplicas(o, *r, 1) }})
	}
	for _, ts := range k.Timestamps {
		if ts.Meaning != model.Expiry {
			continue
		}
		out = append(out, Fault{Name: ts.SchemaPath + " passed", apply: func(o map[string]any) {
			budget.SetPath(o, ts.Path, Epoch.Add(-24*time.Hour).Format(time.RFC3339))
		}})
	}
	if g := k.Generation; g != nil {
		out = append(out, Fault{Name: g.Observed.SchemaPath + " stale", apply: func(o map[string]any) {
			budget.SetPath(o, g.Observed.Path, int64(generation-1))
		}})
	}
	return out
}

// setReplicas sets 3 desired replicas, and ready ones and the rest of the
// family to ready.
func setReplicas(o map[string]any, r model.Replicas, ready int64) {
	budget.SetPath(o, r.Desired.Path, int64(3))
	budget.SetPath(o, r.Ready.Path, ready)
	for _, m := range r.Members() {
		budget.SetPath(o, m.Field.Path, ready)
	}
}

// reportsReady reports whether healthy objects of k carry a top-level
// Ready condition with a status.
func reportsReady(k model.Kind) bool {
	for _, cs := range k.Conditions {
		if cs.Scope == "" && cs.HasStatus && slices.Contains(conditionTypes(k, cs), "Ready") {
			return true
		}
	}
	return false
}
