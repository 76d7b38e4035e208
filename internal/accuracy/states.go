package accuracy

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/crdmon/crdmon/generator/health"
)

// noState is the column of objects for which no health state is recorded.
const noState = "(none)"

// stateLabels are the labels the recorded state is compared with.
var stateLabels = []string{Healthy, Progressing, Degraded, Suspended}

// recorded is the object's recorded state and reason, or noState.
func (o Outcome) recorded() string {
	if o.State == "" {
		return noState
	}
	return o.State + "/" + o.Reason
}

// Confusion counts the objects labelled each of stateLabels (first key) by
// recorded state (second key: a health state, or noState).
func (r *Result) Confusion() map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, l := range stateLabels {
		out[l] = map[string]int{}
		for _, o := range r.with(l) {
			st := o.State
			if st == "" {
				st = noState
			}
			out[l][st]++
		}
	}
	return out
}

// StateAgreement returns how many objects labelled one of stateLabels have
// that label as recorded state, and how many there are.
func (r *Result) StateAgreement() (agree, total int) {
	for l, row := range r.Confusion() {
		for st, n := range row {
			total += n
			if st == l {
				agree += n
			}
		}
	}
	return agree, total
}

// HealthyRecordedDegraded returns how many Healthy objects are recorded
// Degraded, and how many Healthy objects there are.
func (r *Result) HealthyRecordedDegraded() (degraded, total int) {
	row := r.Confusion()[Healthy]
	for _, n := range row {
		total += n
	}
	return row[health.Degraded], total
}

// writeConfusion prints the confusion matrix of labels and recorded states,
// the agreement, and the objects where they differ.
func (r *Result) writeConfusion(b *strings.Builder) {
	agree, total := r.StateAgreement()
	pct := 0.0
	if total > 0 {
		pct = 100 * float64(agree) / float64(total)
	}
	fmt.Fprintf(b, "\nrecorded health state (%s) by expected status: %d of %d agree (%.1f %%)\n", health.Metric, agree, total, pct)
	cols := append(append([]string(nil), health.States...), noState)
	m := r.Confusion()
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "expected \\ recorded\t%s\n", strings.Join(cols, "\t"))
	for _, l := range stateLabels {
		fmt.Fprint(tw, l)
		for _, c := range cols {
			fmt.Fprintf(tw, "\t%d", m[l][c])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	var diffs []string
	for _, o := range r.Outcomes {
		if o.Expected != Unknown && o.Expected != o.State {
			diffs = append(diffs, fmt.Sprintf("  %s → %s  %s/%s %s", o.Expected, o.recorded(), o.Group, o.Kind, o.shortPath()))
		}
	}
	if len(diffs) > 0 {
		fmt.Fprintf(b, "objects whose recorded state differs: %d\n%s\n", len(diffs), strings.Join(diffs, "\n"))
	}
}
