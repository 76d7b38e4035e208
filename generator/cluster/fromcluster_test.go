package cluster_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/internal/cli"
	"github.com/crdmon/crdmon/internal/testcluster"
	"github.com/crdmon/crdmon/internal/testutil"
)

// testGenerateFromCluster: `crdmon generate --from-cluster` against a real
// API server writes exactly what generating from the same CRD files writes.
// It lives here, not in package cli, to share the package's API server (see
// TestServer), which may hold other CRDs: the example CRDs carry a label
// the command selects.
func testGenerateFromCluster(t *testing.T, c *testcluster.Cluster) {
	crds := testcluster.ReadCRDs(t, testutil.TestdataCRDs(t))
	for _, crd := range crds {
		crd.Labels = map[string]string{"crdmon.test/set": "examples"}
	}
	c.ApplyCRDs(t, crds...)
	kubeconfig := c.WriteKubeconfig(t, "test-ctx")

	fromFiles, fromCluster := t.TempDir(), t.TempDir()
	var stdout, stderr bytes.Buffer
	env := cli.Env{Stdout: &stdout, Stderr: &stderr}
	if code := cli.Run([]string{"generate", "-q", "-f", testutil.TestdataCRDs(t), "-o", fromFiles}, env); code != 0 {
		t.Fatalf("from files: exit %d: %s", code, stderr.String())
	}
	code := cli.Run([]string{"generate", "--from-cluster", "--kubeconfig", kubeconfig, "--context", "test-ctx", "--selector", "crdmon.test/set=examples", "-o", fromCluster}, env)
	if code != 0 {
		t.Fatalf("from cluster: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "read 4 documents: 4 CRDs") {
		t.Errorf("summary: %s", stdout.String())
	}
	filepath.WalkDir(fromFiles, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fromFiles, p)
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(fromCluster, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between --from-cluster and files", rel)
		}
		return nil
	})

	// A selector that matches nothing, and an unreachable server, are clear errors (exit 2).
	stderr.Reset()
	if code := cli.Run([]string{"generate", "--from-cluster", "--kubeconfig", kubeconfig, "--selector", "app=none", "-o", t.TempDir()}, env); code != cli.ExitUsage || !strings.Contains(stderr.String(), "no CustomResourceDefinitions found") {
		t.Errorf("empty selector: exit %d, %s", code, stderr.String())
	}
	stderr.Reset()
	if code := cli.Run([]string{"generate", "--from-cluster", "-f", "x.yaml"}, env); code != cli.ExitUsage || !strings.Contains(stderr.String(), "not both") {
		t.Errorf("-f with --from-cluster: exit %d, %s", code, stderr.String())
	}
}
