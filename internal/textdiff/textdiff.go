// Package textdiff renders unified diffs for tests' failure messages.
package textdiff

import "github.com/pmezard/go-difflib/difflib"

// Unified is a unified diff, with three lines of context, from want (the
// file named wantName) to got (named gotName).
func Unified(wantName string, want []byte, gotName string, got []byte) string {
	d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        difflib.SplitLines(string(want)),
		B:        difflib.SplitLines(string(got)),
		FromFile: wantName,
		ToFile:   gotName,
		Context:  3,
	})
	return d
}
