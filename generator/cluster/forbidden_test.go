package cluster_test

import (
	"context"
	"testing"

	"github.com/crdmon/crdmon/generator/cluster"
	"github.com/crdmon/crdmon/internal/testcluster"
)

// testForbidden lists, through a kubeconfig with a client certificate, as
// a user the real server's authorizer (see TestServer) refuses
// `list customresourcedefinitions`, and as one it allows.
func testForbidden(t *testing.T, c *testcluster.Cluster) {
	ctx := context.Background()
	for user, wantErr := range map[string]bool{"lister": false, "viewer": true} {
		path := testcluster.WriteKubeconfig(t, testcluster.KubeconfigFor(c.UserConfig(t, user), user))
		_, err := cluster.ListCRDs(ctx, cluster.Options{Kubeconfig: path})
		switch {
		case !wantErr && err != nil:
			t.Errorf("%s: %v", user, err)
		case wantErr:
			t.Logf("%s: %v", user, err)
			wantErrParts(t, err, "the current user may not list customresourcedefinitions (RBAC)", `"viewer"`)
		}
	}
}
