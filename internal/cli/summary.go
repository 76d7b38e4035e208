package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/model"
)

// printSummary prints what was read and found, one line per kind.
func printSummary(w io.Writer, res *generator.Result) {
	skipped := 0
	var kinds []string
	for k, n := range res.Load.Skipped {
		skipped += n
		kinds = append(kinds, fmt.Sprintf("%s ×%d", k, n))
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "read %d documents: %d CRDs", res.Load.Documents, len(res.Load.CRDs))
	if skipped > 0 {
		fmt.Fprintf(w, ", %d other documents skipped (%s)", skipped, strings.Join(kinds, ", "))
	}
	if res.Filtered > 0 {
		fmt.Fprintf(w, ", %d kinds left out by --group/--kind", res.Filtered)
	}
	fmt.Fprintln(w)
	var none []string
	width := 0
	for _, k := range res.Model.Kinds {
		if n := len(kindName(k)); n > width && n <= 48 {
			width = n
		}
	}
	with := 0
	for _, k := range res.Model.Kinds {
		if !k.HasSignals() {
			none = append(none, kindName(k))
			continue
		}
		with++
		fmt.Fprintf(w, "  %-*s  %s\n", width, kindName(k), strings.Join(signalWords(k), ", "))
	}
	fmt.Fprintf(w, "%d kinds with signals", with)
	if len(none) > 0 {
		fmt.Fprintf(w, "; %d without (not monitored): %s", len(none), strings.Join(none, ", "))
	}
	fmt.Fprintln(w)
}

func kindName(k model.Kind) string { return k.Group + "/" + k.Kind }

// signalWords names a kind's signals briefly, e.g. "conditions Ready,Synced".
func signalWords(k model.Kind) []string {
	var out []string
	for _, c := range k.Conditions {
		s := "conditions"
		if c.Scope != "" {
			s += "@" + c.Scope
		}
		if len(c.KnownTypes) > 0 {
			s += " " + strings.Join(c.KnownTypes, "|")
		}
		out = append(out, s)
	}
	if k.Replicas != nil {
		out = append(out, "replicas "+k.Replicas.Desired.SchemaPath+"/"+k.Replicas.Ready.SchemaPath)
	}
	if k.Generation != nil {
		out = append(out, "observedGeneration")
	}
	for _, p := range k.Phases {
		out = append(out, "phase "+p.SchemaPath)
	}
	if k.Suspend != nil {
		out = append(out, "suspend "+k.Suspend.SchemaPath)
	}
	return out
}
