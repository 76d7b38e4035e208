package cli

import (
	"fmt"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/crdmon/crdmon/generator/output"
)

// printDrift prints a unified diff per differing file and returns 1 on drift.
func printDrift(env Env, dir string, changes []output.Change, quiet bool) int {
	drift := 0
	for _, c := range changes {
		if c.Status == output.Unchanged {
			continue
		}
		drift++
		name := joinPath(dir, c.Path)
		diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A:        difflib.SplitLines(string(c.Old)),
			B:        difflib.SplitLines(string(c.New)),
			FromFile: "a/" + name,
			ToFile:   "b/" + name,
			Context:  3,
		})
		fmt.Fprint(env.Stdout, diff)
		if c.Status == output.Stale {
			fmt.Fprintf(env.Stderr, "crdmon: %s is no longer generated (remove it, or run generate --prune)\n", name)
		}
	}
	if drift > 0 {
		fmt.Fprintf(env.Stderr, "crdmon: %d of %d files in %s are out of date; run crdmon generate to update them\n", drift, len(changes), dir)
		return ExitDrift
	}
	if !quiet {
		fmt.Fprintf(env.Stdout, "%s is up to date (%d files)\n", dir, len(changes))
	}
	return ExitOK
}
