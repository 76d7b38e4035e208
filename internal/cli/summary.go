package cli

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/ksm"
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
	var with, none []model.Kind
	for _, k := range res.Model.Kinds {
		if k.HasSignals() {
			with = append(with, k)
		} else {
			none = append(none, k)
		}
	}
	if len(with) <= maxListed {
		printKinds(w, with)
	} else {
		printGroups(w, with)
	}
	fmt.Fprintf(w, "%d kinds with signals", len(with))
	if len(none) > 0 {
		fmt.Fprintf(w, "; %d without (not monitored): %s", len(none), shortList(kindNames(none), 8))
	}
	fmt.Fprintln(w)
	printFitted(w, res)
}

// printFitted says how the kube-state-metrics config was fitted into the
// size limits, when it had to be.
func printFitted(w io.Writer, res *generator.Result) {
	wildcards, shards := 0, 0
	for _, r := range res.KSM.Spec.Resources {
		if ksm.IsWildcard(r.GroupVersionKind.Kind) {
			wildcards++
		}
	}
	for _, k := range res.Model.Kinds {
		if k.Wildcard() && k.HasSignals() { // declared in crdmon.yaml, not merged to fit
			wildcards--
		}
	}
	for _, p := range res.Paths {
		if ok, _ := path.Match(ksm.ShardConfigPattern, p); ok {
			shards++
		}
	}
	if wildcards > 0 {
		fmt.Fprintf(w, "kube-state-metrics: %d wildcard resources, one per group whose kinds share one signal shape (kind \"*\")\n", wildcards)
	}
	if shards > 0 {
		fmt.Fprintf(w, "kube-state-metrics: the config is split into %d shards: deploy each kube-state-metrics-values-<n>.yaml as its own kube-state-metrics release\n", shards)
	}
}

// maxListed is how many kinds or files are listed one a line; beyond it the
// summary groups them, so it stays one screen long for large inputs.
const maxListed = 15

// printKinds prints one line per kind with its signals.
func printKinds(w io.Writer, kinds []model.Kind) {
	width := 0
	for _, k := range kinds {
		if n := len(kindName(k)); n > width && n <= 48 {
			width = n
		}
	}
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, kindName(k), strings.Join(signalWords(k), ", "))
	}
}

// printGroups prints one line per API group with its kinds
// (crdmon inspect lists each kind's signals).
func printGroups(w io.Writer, kinds []model.Kind) {
	var groups []string
	byGroup := map[string][]string{}
	for _, k := range kinds {
		if byGroup[k.Group] == nil {
			groups = append(groups, k.Group)
		}
		byGroup[k.Group] = append(byGroup[k.Group], k.Kind)
	}
	shown := groups
	if len(shown) > maxListed {
		shown = shown[:maxListed]
	}
	for _, g := range shown {
		fmt.Fprintf(w, "  %-32s %d: %s\n", g, len(byGroup[g]), shortList(byGroup[g], 5))
	}
	if more := len(groups) - len(shown); more > 0 {
		fmt.Fprintf(w, "  ... and %d more groups (crdmon inspect lists every kind)\n", more)
	}
}

// shortList joins up to n items and says how many more there are.
func shortList(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

func kindNames(kinds []model.Kind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = kindName(k)
	}
	return out
}

func kindName(k model.Kind) string { return k.Group + "/" + k.Kind }

// signalWords names a kind's signals briefly, e.g. "conditions Ready,Synced".
func signalWords(k model.Kind) []string {
	var out []string
	for _, c := range k.Conditions {
		s := "conditions"
		if c.Scope != "" {
			s += "@" + strings.Replace(c.Scope, "[0]", "[]", 1) // every element is read (ksm.NestedElements)
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
	for _, f := range k.Problems {
		out = append(out, "problems "+f.SchemaPath)
	}
	return out
}
