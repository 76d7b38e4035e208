package cluster_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/crdmon/crdmon/generator/cluster"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/internal/cli"
	"github.com/crdmon/crdmon/internal/testcluster"
)

// learnFixtures are infer's fixture CRDs (Route and Listener, whose
// statuses are untyped) and Route objects.
const learnFixtures = "../infer/testdata"

// testSampleObjects: --sample-objects lists a few objects of each kind
// whose status is untyped, as the user "lister", whom TestServer's
// authorizer lets list routes but not listeners: listeners are skipped with
// the RBAC they need, and the run still succeeds.
func testSampleObjects(t *testing.T, c *testcluster.Cluster) {
	crds := testcluster.ReadCRDs(t, filepath.Join(learnFixtures, "routes.crd.yaml"))
	for _, crd := range crds {
		crd.Labels = map[string]string{"crdmon.test/set": "learn"}
	}
	c.ApplyCRDs(t, crds...)
	f, err := os.Open(filepath.Join(learnFixtures, "routes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	objs, err := ksmeval.LoadObjects(f, "routes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		status, hasStatus := o["status"]
		c.Create(t, u.DeepCopy())
		if hasStatus {
			u.Object["status"] = status
			c.UpdateStatus(t, u)
		}
	}
	c.Create(t, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.crdmon.dev/v1", "kind": "Listener",
		"metadata": map[string]any{"name": "l1", "namespace": "shop"}, "status": map[string]any{"ready": true},
	}})

	rs := []cluster.Resource{{Group: "example.crdmon.dev", Version: "v1", Plural: "routes"}, {Group: "example.crdmon.dev", Version: "v1", Plural: "listeners"}}
	s, err := cluster.SampleObjectsWithConfig(context.Background(), c.UserConfig(t, "lister"), cluster.Options{}, rs, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Objects) != 2 {
		t.Errorf("sampled %d objects, want 2 (the limit)", len(s.Objects))
	}
	for _, o := range s.Objects {
		if o["apiVersion"] != "example.crdmon.dev/v1" || o["kind"] != "Route" {
			t.Errorf("sampled object %v %v, want example.crdmon.dev/v1 Route", o["apiVersion"], o["kind"])
		}
	}
	want := "listeners.example.crdmon.dev: skipped, the current user may not list it (RBAC: kubectl create clusterrole crdmon-sample-objects --verb=list --resource=listeners.example.crdmon.dev)"
	if len(s.Skipped) != 1 || !strings.HasPrefix(s.Skipped[0], want) {
		t.Errorf("skipped %q, want one starting %q", s.Skipped, want)
	}

	kubeconfig := testcluster.WriteKubeconfig(t, testcluster.KubeconfigFor(c.UserConfig(t, "lister"), "lister"))
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := cli.Run([]string{"generate", "--from-cluster", "--kubeconfig", kubeconfig, "--selector", "crdmon.test/set=learn", "--sample-objects", "3", "-o", out}, cli.Env{Stdout: &stdout, Stderr: &stderr})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, w := range []struct{ got, want string }{
		{stdout.String(), "learned from objects, for this run only: example.crdmon.dev/Route: 3 signals learned from 3 objects\n"},
		{stdout.String(), "learned from objects, for this run only: example.crdmon.dev/Listener: status untyped and no object of the kind given: nothing learned\n"},
		{stderr.String(), "crdmon: warning: --sample-objects: " + want},
	} {
		if !strings.Contains(w.got, w.want) {
			t.Errorf("output lacks %q:\n%s", w.want, w.got)
		}
	}
	config, err := os.ReadFile(filepath.Join(out, "kube-state-metrics", "custom-resource-state.yaml"))
	if err != nil || !bytes.Contains(config, []byte("were learned from objects, not read from the CRD schema")) {
		t.Errorf("the kube-state-metrics config does not say the signals were learned from objects (%v)", err)
	}
}
