package testcluster_test

import (
	"slices"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/crdmon/crdmon/internal/testcluster"
)

const rbacDocs = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [apiextensions.k8s.io], resources: [customresourcedefinitions], verbs: [list, watch]}
- {apiGroups: [example.com], resources: [widgets], verbs: [list, watch]}
- {apiGroups: [wild.example.com], resources: ["*"], verbs: [list]}
- {apiGroups: [sub.example.com], resources: ["*/status"], verbs: [get]}
- {apiGroups: [named.example.com], resources: [things], resourceNames: [one], verbs: ["*"]}
- {nonResourceURLs: [/metrics], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: ServiceAccount, name: ksm, namespace: monitoring}
- {kind: Group, name: readers, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ignored}
`

func res(user string, groups []string, verb, group, resource, sub, name string) authorizationv1.SubjectAccessReviewSpec {
	return authorizationv1.SubjectAccessReviewSpec{User: user, Groups: groups, ResourceAttributes: &authorizationv1.ResourceAttributes{
		Verb: verb, Group: group, Resource: resource, Subresource: sub, Name: name,
	}}
}

func nonRes(user string, groups []string, verb, path string) authorizationv1.SubjectAccessReviewSpec {
	return authorizationv1.SubjectAccessReviewSpec{User: user, Groups: groups, NonResourceAttributes: &authorizationv1.NonResourceAttributes{Verb: verb, Path: path}}
}

// The RBAC authorizer grants exactly what the roles bound to a subject
// grant, as Kubernetes' RBAC does, plus discovery to authenticated users.
func TestRBAC(t *testing.T) {
	r, err := testcluster.NewRBAC([]byte(rbacDocs))
	if err != nil {
		t.Fatal(err)
	}
	sa := testcluster.ServiceAccountUser("monitoring", "ksm")
	saGroups := append(testcluster.ServiceAccountGroups("monitoring"), "system:authenticated")
	other := testcluster.ServiceAccountUser("default", "ksm")
	for _, tc := range []struct {
		spec authorizationv1.SubjectAccessReviewSpec
		want bool
	}{
		{res(sa, saGroups, "list", "apiextensions.k8s.io", "customresourcedefinitions", "", ""), true},
		{res(sa, saGroups, "watch", "example.com", "widgets", "", ""), true},
		{res(sa, saGroups, "get", "example.com", "widgets", "", "w"), false},
		{res(sa, saGroups, "list", "example.com", "gadgets", "", ""), false},
		{res(sa, saGroups, "list", "other.com", "widgets", "", ""), false},
		{res(sa, saGroups, "list", "wild.example.com", "anything", "", ""), true},
		{res(sa, saGroups, "list", "example.com", "widgets", "status", ""), false},
		{res(sa, saGroups, "get", "sub.example.com", "x", "status", ""), true},
		{res(sa, saGroups, "get", "named.example.com", "things", "", "one"), true},
		{res(sa, saGroups, "get", "named.example.com", "things", "", "two"), false},
		{res(other, testcluster.ServiceAccountGroups("default"), "list", "example.com", "widgets", "", ""), false},
		{res("alice", []string{"readers"}, "list", "example.com", "widgets", "", ""), true},
		{nonRes(sa, saGroups, "get", "/metrics"), true},
		{nonRes(sa, saGroups, "get", "/apis/example.com/v1"), true},
		{nonRes(sa, saGroups, "get", "/version"), true},
		{nonRes("anonymous", nil, "get", "/version"), false},
		{nonRes(sa, saGroups, "post", "/version"), false},
	} {
		if got := r.Authorize(tc.spec); got != tc.want {
			t.Errorf("%s %+v %+v: allowed %v, want %v", tc.spec.User, tc.spec.ResourceAttributes, tc.spec.NonResourceAttributes, got, tc.want)
		}
	}
	got := r.Decisions(other)
	if len(got) != 1 || got[0].String() != other+": list example.com/widgets denied" {
		t.Errorf("decisions of %s: %v", other, got)
	}
	// A role added later is granted from then on.
	if err := r.Add([]byte("kind: ClusterRole\nmetadata: {name: reader}\nrules: []\n")); err != nil {
		t.Fatal(err)
	}
	if r.Authorize(res(sa, saGroups, "list", "example.com", "widgets", "", "")) {
		t.Error("the replaced role still grants list widgets")
	}
	if !slices.ContainsFunc(r.Decisions(sa), func(d testcluster.Decision) bool { return !d.Allowed }) {
		t.Error("no denied decision recorded")
	}
}
