package testcluster

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// RBAC authorizes requests as Kubernetes' RBAC authorizer does from
// ClusterRoles and ClusterRoleBindings (no aggregation, no namespaced
// Roles), plus the discovery every authenticated user has in a real cluster
// (the system:discovery, system:public-info-viewer and system:basic-user
// roles' non-resource URLs). Its Authorize is an Authorizer for
// StartWithAuthorizer; objects may be added while the server runs. It
// records every decision.
type RBAC struct {
	mu       sync.Mutex
	roles    map[string][]rbacv1.PolicyRule
	bindings []rbacv1.ClusterRoleBinding
	asked    []Decision
}

// Decision is one request the RBAC authorizer decided.
type Decision struct {
	User    string
	Request string // "list apiextensions.k8s.io/customresourcedefinitions", "get /version"
	Allowed bool
}

func (d Decision) String() string {
	verdict := "denied"
	if d.Allowed {
		verdict = "allowed"
	}
	return fmt.Sprintf("%s: %s %s", d.User, d.Request, verdict)
}

// discoveryURLs are the non-resource URLs every authenticated user may get
// in a cluster with the default bootstrap policy.
var discoveryURLs = []string{"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/readyz", "/version", "/version/", "/openapi", "/openapi/*"}

// NewRBAC returns an authorizer granting what the ClusterRoles and
// ClusterRoleBindings in the YAML documents grant (other kinds are ignored).
func NewRBAC(docs []byte) (*RBAC, error) {
	r := &RBAC{roles: map[string][]rbacv1.PolicyRule{}}
	return r, r.Add(docs)
}

// Add adds the ClusterRoles and ClusterRoleBindings of the YAML documents; a
// ClusterRole of a name already known replaces it.
func (r *RBAC) Add(docs []byte) error {
	for i, doc := range bytes.Split(docs, []byte("\n---\n")) {
		var head struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return fmt.Errorf("document %d: %w", i+1, err)
		}
		switch head.Kind {
		case "ClusterRole":
			var role rbacv1.ClusterRole
			if err := yaml.UnmarshalStrict(doc, &role); err != nil {
				return fmt.Errorf("document %d: %w", i+1, err)
			}
			r.mu.Lock()
			r.roles[role.Name] = role.Rules
			r.mu.Unlock()
		case "ClusterRoleBinding":
			var b rbacv1.ClusterRoleBinding
			if err := yaml.UnmarshalStrict(doc, &b); err != nil {
				return fmt.Errorf("document %d: %w", i+1, err)
			}
			if b.RoleRef.Kind != "ClusterRole" {
				return fmt.Errorf("document %d: ClusterRoleBinding %s binds a %s", i+1, b.Name, b.RoleRef.Kind)
			}
			r.mu.Lock()
			r.bindings = append(r.bindings, b)
			r.mu.Unlock()
		}
	}
	return nil
}

// Authorize decides a SubjectAccessReview and records the decision.
func (r *RBAC) Authorize(spec authorizationv1.SubjectAccessReviewSpec) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	allowed := r.allows(spec)
	r.asked = append(r.asked, Decision{User: spec.User, Request: request(spec), Allowed: allowed})
	return allowed
}

// Decisions returns the decisions so far of user's requests, in order.
func (r *RBAC) Decisions(user string) []Decision {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Decision
	for _, d := range r.asked {
		if d.User == user {
			out = append(out, d)
		}
	}
	return out
}

func request(spec authorizationv1.SubjectAccessReviewSpec) string {
	if ra := spec.ResourceAttributes; ra != nil {
		res := ra.Group + "/" + ra.Resource
		if ra.Subresource != "" {
			res += "/" + ra.Subresource
		}
		if ra.Namespace != "" {
			res += " in " + ra.Namespace
		}
		return ra.Verb + " " + res
	}
	if nra := spec.NonResourceAttributes; nra != nil {
		return nra.Verb + " " + nra.Path
	}
	return "(no attributes)"
}

func (r *RBAC) allows(spec authorizationv1.SubjectAccessReviewSpec) bool {
	if nra := spec.NonResourceAttributes; nra != nil && nra.Verb == "get" && slices.Contains(spec.Groups, "system:authenticated") {
		if slices.ContainsFunc(discoveryURLs, func(u string) bool { return urlMatches(u, nra.Path) }) {
			return true
		}
	}
	for _, b := range r.bindings {
		if !slices.ContainsFunc(b.Subjects, func(s rbacv1.Subject) bool { return subjectMatches(s, spec.User, spec.Groups) }) {
			continue
		}
		if slices.ContainsFunc(r.roles[b.RoleRef.Name], func(rule rbacv1.PolicyRule) bool { return ruleAllows(rule, spec) }) {
			return true
		}
	}
	return false
}

// ServiceAccountUser is the user name a service account authenticates as.
func ServiceAccountUser(namespace, name string) string {
	return "system:serviceaccount:" + namespace + ":" + name
}

// ServiceAccountGroups are the groups a service account's user is in
// (besides system:authenticated, which the server adds).
func ServiceAccountGroups(namespace string) []string {
	return []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace}
}

func subjectMatches(s rbacv1.Subject, user string, groups []string) bool {
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		return user == ServiceAccountUser(s.Namespace, s.Name)
	case rbacv1.UserKind:
		return user == s.Name
	case rbacv1.GroupKind:
		return slices.Contains(groups, s.Name)
	}
	return false
}

// ruleAllows follows k8s.io/kubernetes/pkg/apis/rbac/v1's RuleAllows.
func ruleAllows(rule rbacv1.PolicyRule, spec authorizationv1.SubjectAccessReviewSpec) bool {
	if ra := spec.ResourceAttributes; ra != nil {
		resource := ra.Resource
		if ra.Subresource != "" {
			resource += "/" + ra.Subresource
		}
		return matches(rule.Verbs, ra.Verb) && matches(rule.APIGroups, ra.Group) &&
			resourceMatches(rule.Resources, resource, ra.Subresource) &&
			(len(rule.ResourceNames) == 0 || slices.Contains(rule.ResourceNames, ra.Name))
	}
	if nra := spec.NonResourceAttributes; nra != nil {
		return matches(rule.Verbs, nra.Verb) &&
			slices.ContainsFunc(rule.NonResourceURLs, func(u string) bool { return urlMatches(u, nra.Path) })
	}
	return false
}

func matches(allowed []string, v string) bool {
	return slices.Contains(allowed, rbacv1.VerbAll) || slices.Contains(allowed, v)
}

func resourceMatches(allowed []string, resource, subresource string) bool {
	for _, a := range allowed {
		if a == rbacv1.ResourceAll || a == resource || subresource != "" && a == "*/"+subresource {
			return true
		}
	}
	return false
}

func urlMatches(rule, path string) bool {
	if rule == rbacv1.NonResourceAll || rule == path {
		return true
	}
	prefix, ok := strings.CutSuffix(rule, "*")
	return ok && strings.HasPrefix(path, prefix)
}
