package cluster_test

import (
	"context"
	"testing"

	"github.com/crdmon/crdmon/generator/cluster"
	"github.com/crdmon/crdmon/internal/testcluster"
	authorizationv1 "k8s.io/api/authorization/v1"
)

// TestForbidden lists as a user the real server's authorizer refuses
// `list customresourcedefinitions`, through a kubeconfig with a client
// certificate.
func TestForbidden(t *testing.T) {
	c := testcluster.StartWithAuthorizer(t, func(spec authorizationv1.SubjectAccessReviewSpec) bool {
		ra := spec.ResourceAttributes
		return spec.User == "lister" && ra != nil && ra.Verb == "list" && ra.Resource == "customresourcedefinitions"
	})
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
