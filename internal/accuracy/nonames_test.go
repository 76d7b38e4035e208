package accuracy

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/internal/testutil"
)

// judging are the packages whose code decides what is a signal, a state or
// an alert: none may name an API group of the labelled objects.
var judging = []string{"detect", "model", "health", "rules", "series", "ksm", "infer", "config", "simulate"}

// TestCodeNamesNoLabelledGroup fails when a string literal in a non-test Go
// file of the judging packages holds an API group of ../shared/health's
// labelled objects: detection and alerts follow from schemas and published
// conventions, per-kind knowledge belongs in a user's crdmon.yaml, and a
// rule naming a group would score on the dev set and fail on kinds no one
// tuned for. Comments may cite a project as an example.
func TestCodeNamesNoLabelledGroup(t *testing.T) {
	cases, err := ReadIndex(testutil.Health(t))
	if err != nil {
		t.Fatal(err)
	}
	var groups []string
	for _, c := range cases {
		if !slices.Contains(groups, c.Group) {
			groups = append(groups, c.Group)
		}
	}
	if len(groups) < 10 {
		t.Fatalf("only %d groups in the index: the check would prove little", len(groups))
	}
	checked := 0
	for _, pkg := range judging {
		files, err := filepath.Glob(filepath.Join("..", "..", "generator", pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("package generator/%s: no Go files (%v)", pkg, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			checked++
			for _, lit := range stringLiterals(t, f) {
				for _, g := range groups {
					if strings.Contains(lit.value, g) {
						t.Errorf("%s: a string names the labelled group %s: %q", lit.pos, g, lit.value)
					}
				}
			}
		}
	}
	t.Logf("%d files of %d packages checked against %d groups", checked, len(judging), len(groups))
}

type literal struct {
	pos   token.Position
	value string
}

// stringLiterals returns the string literals of a Go file, unquoted.
func stringLiterals(t *testing.T, path string) []literal {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var s scanner.Scanner
	s.Init(fset.AddFile(path, -1, len(src)), src, nil, 0)
	var out []literal
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.STRING {
			v, err := strconv.Unquote(lit)
			if err != nil {
				v = lit
			}
			out = append(out, literal{fset.Position(pos), v})
		}
	}
}
