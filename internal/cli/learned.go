package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/cluster"
	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/infer"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
)

// sampleObjects lists up to g.sampleObjects objects of each kind of loaded
// whose status is untyped and sets o to learn from them, for this run only.
// Kinds the user may not list are skipped, with the RBAC they need, in
// g.sampleSkipped.
func (g *generateFlags) sampleObjects(o *generator.Options, loaded *load.Result) error {
	var rs []cluster.Resource
	for _, c := range loaded.CRDs {
		if infer.Untyped(c) {
			rs = append(rs, cluster.Resource{Group: c.Spec.Group, Version: detect.WatchedVersion(&c.CustomResourceDefinition).Name, Plural: c.Spec.Names.Plural})
		}
	}
	o.Learn = true
	if len(rs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.cluster.Timeout)
	defer cancel()
	s, err := cluster.SampleObjects(ctx, g.cluster, rs, g.sampleN)
	if err != nil {
		return err
	}
	o.Objects, g.sampleSkipped = s.Objects, s.Skipped
	return nil
}

// printLearned says which kinds were learned from how many objects (this
// run only), and which could not be sampled.
func printLearned(stdout, stderr io.Writer, res *generator.Result, skipped []string) {
	for _, s := range skipped {
		fmt.Fprintf(stderr, "crdmon: warning: --sample-objects: %s\n", s)
	}
	for _, l := range res.Learned {
		fmt.Fprintf(stdout, "learned from objects, for this run only: %s\n", l.Summary())
	}
}

// learnedSignals renders k's signals learned from objects as crdmon.yaml
// signals entries, each with a comment saying where it came from, and the
// learning notes as comments.
func learnedSignals(k model.Kind, from string) []string {
	var entries, skipped []string
	add := func(f model.Field, meaning string, extra string) {
		if slices.ContainsFunc(f.Path, func(s string) bool { return strings.Contains(s, ".") }) {
			skipped = append(skipped, f.SchemaPath+": a key holds a dot, which a dotted crdmon.yaml field cannot name")
			return
		}
		field := f.SchemaPath
		if meaning == config.MeaningConditionList {
			field = strings.TrimSuffix(field, "[]") // detection names the list's elements
		}
		if strings.ContainsAny(field, "[]{},:#&*!|>'\"%@`") {
			field = fmt.Sprintf("%q", field)
		}
		if f.Learned == "" { // the schema-read half of a learned pair
			entries = append(entries, fmt.Sprintf("      - {field: %s, meaning: %s%s}", field, meaning, extra))
			return
		}
		entries = append(entries,
			fmt.Sprintf("      # from objects (%s): %s; detection rule %s", from, f.Learned, f.Rule),
			fmt.Sprintf("      - {field: %s, meaning: %s%s, learned: %q}", field, meaning, extra, f.Learned))
	}
	learned := func(f model.Field) bool { return f.Learned != "" }
	for _, c := range k.Conditions {
		if learned(c.Field) {
			add(c.Field, config.MeaningConditionList, "")
		}
	}
	if r := k.Replicas; r != nil && (learned(r.Desired) || learned(r.Ready)) {
		add(r.Desired, config.MeaningDesiredCount, "")
		add(r.Ready, config.MeaningReadyCount, "")
	}
	if g := k.Generation; g != nil && learned(g.Observed) {
		add(g.Observed, config.MeaningObservedGeneration, "")
	}
	for _, p := range k.Phases {
		switch {
		case !learned(p.Field):
		case p.Error:
			skipped = append(skipped, p.SchemaPath+": an error field (any value means failure) has no crdmon.yaml meaning")
		case p.Rule == "readiness-flag":
			add(p.Field, config.MeaningBoolHealthy, "")
		default:
			add(p.Field, config.MeaningPhase, valueLists(p))
		}
	}
	for _, t := range k.Timestamps {
		if learned(t.Field) {
			add(t.Field, t.Meaning, "")
		}
	}
	for _, f := range k.Failures {
		if learned(f) {
			add(f, config.MeaningFailureCount, "")
		}
	}
	for _, f := range k.Problems {
		if learned(f) {
			add(f, config.MeaningProblemCount, "")
		}
	}
	var out []string
	for _, s := range skipped {
		out = append(out, "    # not declared: "+s)
	}
	if len(entries) > 0 {
		out = append(out, "    # learned by crdmon init --objects: the schema leaves status untyped; review, then commit")
		out = append(out, "    signals:")
		out = append(out, entries...)
	}
	return out
}

// valueLists renders a phase's failure, progress and suspended values as
// flow-map entries.
func valueLists(p model.Phase) string {
	var s string
	for _, l := range []struct {
		key    string
		values []string
	}{{"failure", p.Failure}, {"progress", p.Progress}, {"suspended", p.Suspended}} {
		if len(l.values) > 0 {
			s += fmt.Sprintf(", %s: [%s]", l.key, strings.Join(quoteAll(l.values), ", "))
		}
	}
	return s
}

func quoteAll(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// hasLearned reports whether a signal of k was learned from objects.
func hasLearned(k model.Kind) bool {
	learned := false
	k.Fields(func(f *model.Field) { learned = learned || f.Learned != "" })
	return learned
}
