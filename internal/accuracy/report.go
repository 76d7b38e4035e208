package accuracy

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/simulate"
)

// Tally counts the objects with one label.
type Tally struct {
	Objects  int
	Fires    int // an alert fires
	Quiet    int // the kind has signals, and no alert fires
	NoSignal int // the kind has no signal at all, or the config does not serve the object
}

// Rate is the share of objects an alert fires for (0 when there are none).
func (t Tally) Rate() float64 {
	if t.Objects == 0 {
		return 0
	}
	return float64(t.Fires) / float64(t.Objects)
}

// Tally counts the outcomes labelled status.
func (r *Result) Tally(status string) Tally {
	var t Tally
	for _, o := range r.with(status) {
		t.Objects++
		switch {
		case o.Fires():
			t.Fires++
		case o.HasSignal():
			t.Quiet++
		default:
			t.NoSignal++
		}
	}
	return t
}

// ProgressingFailureClass returns the Progressing objects a FailureClasses
// alert fires for.
func (r *Result) ProgressingFailureClass() []Outcome {
	var out []Outcome
	for _, o := range r.with(Progressing) {
		for _, a := range o.Alerts {
			if a.State == simulate.Firing && IsFailureClass(a.Class) {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

// StateLikeWithoutSignal returns, sorted, the kinds ("group/Kind") whose
// status holds a state-like field but that have no signal, each with the
// fields.
func (r *Result) StateLikeWithoutSignal() []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range r.Outcomes {
		key := o.Group + "/" + o.Kind
		if seen[key] || len(o.StateLike) == 0 || len(o.Signals) > 0 {
			continue
		}
		seen[key] = true
		out = append(out, key+" ("+strings.Join(o.StateLike, ", ")+")")
	}
	sort.Strings(out)
	return out
}

func (r *Result) with(status string) []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Expected == status {
			out = append(out, o)
		}
	}
	return out
}

// WriteSummary prints the table by expected status, the firing alerts by
// class, and then every miss: Degraded objects no alert fires for, Healthy
// and Suspended ones an alert fires for, Progressing ones that get an alert,
// and kinds with a state-like status field but no signal.
func (r *Result) WriteSummary(w io.Writer) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "expected\tobjects\tan alert fires\tquiet\tthe kind has no signal at all")
	for _, s := range Statuses {
		t := r.Tally(s)
		if t.Objects == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d (%.1f %%)\t%d\t%d\n", s, t.Objects, t.Fires, 100*t.Rate(), t.Quiet, t.NoSignal)
	}
	tw.Flush()

	b.WriteString("\nobjects with a firing alert of each class, by expected status:\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "class")
	for _, s := range Statuses {
		fmt.Fprintf(tw, "\t%s", s)
	}
	fmt.Fprintln(tw)
	for _, c := range reportClasses() {
		row, any := "", false
		for _, s := range Statuses {
			n := 0
			for _, o := range r.with(s) {
				if o.firesClass(c) {
					n++
				}
			}
			row += fmt.Sprintf("\t%d", n)
			any = any || n > 0
		}
		if any {
			fmt.Fprintf(tw, "%s%s\n", className(c), row)
		}
	}
	tw.Flush()

	r.writeConfusion(&b)

	r.writeMisses(&b, Degraded, "no alert fires", func(o Outcome) bool { return !o.Fires() })
	r.writeMisses(&b, Healthy, "an alert fires", Outcome.Fires)
	r.writeMisses(&b, Suspended, "an alert fires", Outcome.Fires)
	r.writeMisses(&b, Progressing, "an alert fires (! marks a failure-class alert)", Outcome.Fires)
	r.writeMisses(&b, Unknown, "an alert fires (reported only)", Outcome.Fires)

	kinds := r.StateLikeWithoutSignal()
	fmt.Fprintf(&b, "\nkinds whose status holds a state-like field but that have no signal: %d\n", len(kinds))
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %s\n", k)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeMisses lists the objects labelled status that miss, with a count by
// reason (for objects an alert fires for: by the classes firing).
func (r *Result) writeMisses(b *strings.Builder, status, what string, miss func(Outcome) bool) {
	var list []Outcome
	reasons := map[string]int{}
	for _, o := range r.with(status) {
		if miss(o) {
			list = append(list, o)
			reasons[o.missReason()]++
		}
	}
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s objects where %s: %d (%s)\n", status, what, len(list), countList(reasons))
	for _, o := range list {
		fmt.Fprintf(b, "  %s/%s %s\n", o.Group, o.Kind, o.shortPath())
		fmt.Fprintf(b, "      check: %s\n", oneLine(o.Message))
		if !o.Fires() {
			fmt.Fprintf(b, "      crdmon: %s\n", o.reason())
		}
		if len(o.Signals) > 0 {
			fmt.Fprintf(b, "      signals: %s\n", strings.Join(o.Signals, "; "))
		} else if len(o.StateLike) > 0 {
			fmt.Fprintf(b, "      state-like fields: %s\n", strings.Join(o.StateLike, ", "))
		}
		for _, a := range o.Alerts {
			mark := ""
			if status == Progressing && a.State == simulate.Firing && IsFailureClass(a.Class) {
				mark = "! "
			}
			fmt.Fprintf(b, "      %s%s %s [%s] %s\n", mark, a.Name, a.State, a.Class, a.Why)
		}
	}
}

// missReason is reason, or for an object alerts fire for, their classes.
func (o Outcome) missReason() string {
	if !o.Fires() {
		return o.reason()
	}
	var classes []string
	for _, c := range reportClasses() {
		if o.firesClass(c) {
			classes = append(classes, className(c))
		}
	}
	return strings.Join(classes, "+")
}

// reportClasses is rules.Classes, then "" for alerts whose class was not
// recognised.
func reportClasses() []rules.Class { return append(slices.Clone(rules.Classes), "") }

func className(c rules.Class) string {
	if c == "" {
		return "(class not recognised)"
	}
	return string(c)
}

// shortPath is the object's path without the objects/<group>/<Kind>/
// directories the kind already names.
func (o Outcome) shortPath() string {
	_, rest, ok := strings.Cut(o.Object, "/"+o.Group+"/"+o.Kind+"/")
	if !ok {
		return o.Object
	}
	return rest
}

// reason says in a few words what crdmon made of the object.
func (o Outcome) reason() string {
	switch {
	case !o.KindFound:
		return "no signal: the CRD does not define the kind"
	case len(o.Signals) == 0:
		return "no signal: the kind has none"
	case !o.Covered:
		return "no signal: the config does not serve the object"
	case o.Fires():
		return "alerts"
	case len(o.Alerts) > 0:
		return "signals, alerts only pending"
	default:
		return "signals, quiet"
	}
}

// firesClass reports whether an alert of class c fires for the object.
func (o Outcome) firesClass(c rules.Class) bool {
	for _, a := range o.Alerts {
		if a.State == simulate.Firing && a.Class == c {
			return true
		}
	}
	return false
}

// WriteObjects prints one line per object, in INDEX.tsv order: expected
// status, the recorded health state (state/reason), what crdmon made of it, the object, and its active alerts. Two
// runs' listings diff well.
func (r *Result) WriteObjects(w io.Writer) error {
	var b strings.Builder
	for _, o := range r.Outcomes {
		var alerts []string
		for _, a := range o.Alerts {
			alerts = append(alerts, a.Name+"="+string(a.State))
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", o.Expected, o.recorded(), o.reason(), o.Object, strings.Join(alerts, ","))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// countList prints counts as "3 a, 1 b", most frequent first.
func countList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}

// oneLine shortens a health check message to one line of at most 120 characters.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, `\n`, " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:117]) + "..."
	}
	return s
}

// ModeFigures are one run's headline figures, for the side-by-side table.
type ModeFigures struct {
	Mode                          string
	Degraded, Healthy, Suspended  Tally
	Agree, Total                  int // recorded state agrees with the label
	StateLikeWithoutSignal, Kinds int // kinds with a state-like field but no signal; kinds without any signal
}

// Figures returns res's headline figures under the name mode.
func (r *Result) Figures(mode string) ModeFigures {
	f := ModeFigures{Mode: mode, Degraded: r.Tally(Degraded), Healthy: r.Tally(Healthy), Suspended: r.Tally(Suspended)}
	f.Agree, f.Total = r.StateAgreement()
	f.StateLikeWithoutSignal = len(r.StateLikeWithoutSignal())
	seen := map[string]bool{}
	for _, o := range r.Outcomes {
		if k := o.Group + "/" + o.Kind; o.KindFound && len(o.Signals) == 0 && !seen[k] {
			seen[k] = true
			f.Kinds++
		}
	}
	return f
}

// WriteModes prints runs' figures side by side, one column per mode.
func WriteModes(w io.Writer, modes []ModeFigures) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name string, cell func(ModeFigures) string) {
		fmt.Fprint(tw, name)
		for _, m := range modes {
			fmt.Fprintf(tw, "\t%s", cell(m))
		}
		fmt.Fprintln(tw)
	}
	rate := func(t Tally) string { return fmt.Sprintf("%d/%d (%.1f %%)", t.Fires, t.Objects, 100*t.Rate()) }
	row("", func(m ModeFigures) string { return m.Mode })
	row("Degraded: an alert fires", func(m ModeFigures) string { return rate(m.Degraded) })
	row("Healthy: an alert fires", func(m ModeFigures) string { return rate(m.Healthy) })
	row("Suspended: an alert fires", func(m ModeFigures) string { return rate(m.Suspended) })
	row("recorded state agrees", func(m ModeFigures) string {
		return fmt.Sprintf("%d/%d (%.1f %%)", m.Agree, m.Total, 100*float64(m.Agree)/float64(max(m.Total, 1)))
	})
	row("kinds without any signal", func(m ModeFigures) string { return fmt.Sprint(m.Kinds) })
	row("kinds state-like, no signal", func(m ModeFigures) string { return fmt.Sprint(m.StateLikeWithoutSignal) })
	return tw.Flush()
}
