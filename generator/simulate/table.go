package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable prints the report as two tables: the health state of each
// object, then one row per object and alert; and a closing count.
func (r *Report) WriteTable(w io.Writer) error {
	var buf bytes.Buffer
	if len(r.Health) > 0 {
		tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tNAMESPACE\tNAME\tSTATE\tREASON")
		for _, h := range r.Health {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", h.KindName(), orDash(h.Namespace), h.Name, h.State, h.Reason)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(r.Rows) > 0 {
			buf.WriteString("\n")
		}
	}
	if len(r.Rows) > 0 {
		tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tNAMESPACE\tNAME\tALERT\tSTATE\tWHY")
		for _, row := range r.Rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", row.KindName(), orDash(row.Namespace), row.Name, row.Alert, row.State, row.Why)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	var out strings.Builder
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		out.WriteString(strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			out.WriteByte('\n')
		}
	}
	fmt.Fprintf(&out, "%s at %s: %d firing, %d pending, %d ok\n", plural(r.Objects, "object"),
		r.At.UTC().Format(time.RFC3339), r.Count(Firing), r.Count(Pending), r.Count(OK))
	_, err := io.WriteString(w, out.String())
	return err
}

// WriteJSON prints the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	rep := *r
	rep.At = rep.At.UTC()
	if rep.Rows == nil {
		rep.Rows = []Row{}
	}
	if rep.Health == nil {
		rep.Health = []ObjectHealth{}
	}
	return enc.Encode(rep)
}

// Notes are what a person should know besides the rows: that no kind has a
// signal, objects the config does not cover, objects taken as the API server
// would serve them, and alerts objects cannot tell about.
func (r *Report) Notes() []string {
	var out []string
	if r.NoSignals {
		out = append(out, "no kind among the inputs has a health signal (status conditions, replica counts, observedGeneration or a phase field): there is no alert to evaluate; crdmon inspect shows what each kind has")
	}
	for _, s := range r.Converted {
		out = append(out, "objects converted: "+s)
	}
	for _, s := range r.Unnamed {
		out = append(out, "objects unnamed: "+s)
	}
	for _, s := range r.Skipped {
		out = append(out, "objects skipped: "+s)
	}
	if len(r.NotEvaluated) > 0 {
		out = append(out, "not evaluated (they read controller metrics, not kube-state-metrics series): "+strings.Join(r.NotEvaluated, ", "))
	}
	return out
}

// orDash is s, or "-" when s is empty (a cluster-scoped object's namespace).
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
