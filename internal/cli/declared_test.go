package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/crdmon/crdmon/internal/testutil"
)

// A mistake in a declared signal is bad input: exit 2, nothing written
// (testdata/script/declared.txtar pins the messages).
func TestDeclaredSignalErrorExitCode(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "crdmon.yaml")
	os.WriteFile(cfg, []byte("apiVersion: crdmon.dev/v1alpha1\nkind: Config\nkinds:\n  - kind: '*'\n    signals:\n      - {field: status.count, meaning: count}\n"), 0o644)
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := Run([]string{"generate", "-f", testutil.TestdataCRDs(t), "-c", cfg, "-o", out}, Env{Stdout: &stdout, Stderr: &stderr})
	if code != ExitUsage {
		t.Errorf("exit %d, want %d: %s", code, ExitUsage, stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output written: %v", err)
	}
}
