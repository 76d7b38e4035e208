package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultsRender(t *testing.T) {
	s := Default()
	if len(s.Names()) == 0 {
		t.Fatal("no templates")
	}
	got, err := s.Render("runbook_url", map[string]string{"Class": "ConditionNotTrue"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(got, "#conditionnottrue") {
		t.Errorf("runbook_url = %q", got)
	}
}

func TestOverlay(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "runbook_url.tmpl", "https://runbooks.example/[[ .Class ]]\n")
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Render("runbook_url", map[string]string{"Class": "X"})
	if err != nil || got != "https://runbooks.example/X" {
		t.Errorf("got %q, %v", got, err)
	}
	if len(s.Names()) != len(Default().Names()) {
		t.Errorf("overlay changed the set of names")
	}
}

func TestOverlayErrors(t *testing.T) {
	for name, tc := range map[string]struct{ file, text, want string }{
		"unknown":    {"Bogus.summary.tmpl", "x", "unknown template file"},
		"no ext":     {"runbook_url.txt", "x", "unknown template file"},
		"unparsable": {"runbook_url.tmpl", "[[ .Class ", "runbook_url.tmpl"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tc.file, tc.text)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.file) {
				t.Errorf("err = %v, want mention of %q and %q", err, tc.want, tc.file)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing dir: no error")
	}
}

func TestOverride(t *testing.T) {
	s, err := Default().Override("runbook_url", "https://x/[[ .Class ]]", "--runbook-url")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Render("runbook_url", map[string]string{"Class": "A"}); got != "https://x/A" {
		t.Errorf("got %q", got)
	}
	if got, _ := Default().Render("runbook_url", map[string]string{"Class": "A"}); strings.HasPrefix(got, "https://x/") {
		t.Error("Override changed the default set")
	}
	if _, err := Default().Override("runbook_url", "[[ if ]]", "--runbook-url"); err == nil || !strings.Contains(err.Error(), "--runbook-url") {
		t.Errorf("bad override: err = %v", err)
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
