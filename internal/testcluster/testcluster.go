// Package testcluster starts a real Kubernetes API server for tests: a
// loopback etcd plus the in-process apiextensions-apiserver from
// k8s.io/apiextensions-apiserver/test/integration/fixtures. That server
// serves apiextensions.k8s.io and custom resources only, no core kinds
// (no Namespaces, Pods, RBAC objects); schema validation, defaulting,
// status subresources and CEL rules of CRDs are the real ones.
package testcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	"k8s.io/apiextensions-apiserver/test/integration/fixtures"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Cluster is a running API server and clients for it.
type Cluster struct {
	// Config reaches the server as a privileged loopback user
	// (group system:masters).
	Config *rest.Config
	// APIExtensions is a typed client for CustomResourceDefinitions.
	APIExtensions clientset.Interface
	// Dynamic is a client for custom resources.
	Dynamic dynamic.Interface
	// EtcdURL is the etcd the server stores into.
	EtcdURL string

	clientCA *clientCA // set by StartWithAuthorizer
}

// Start starts an API server on loopback for t and stops it when t ends.
// It skips t when no etcd is available (see SkipMessage). serverFlags are
// extra apiextensions-apiserver flags, e.g. "--client-ca-file", path; later
// flags override the fixtures' defaults.
//
// Unless EtcdEnv is already set, Start starts its own etcd and sets EtcdEnv
// for t, so t must not be parallel.
func Start(t testing.TB, serverFlags ...string) *Cluster {
	t.Helper()
	url := etcdURL(t)
	if os.Getenv(EtcdEnv) != url {
		t.Setenv(EtcdEnv, url)
	}
	tearDown, cfg, _, err := fixtures.StartDefaultServer(t, serverFlags...)
	if err != nil {
		t.Fatalf("starting the API server: %v", err)
	}
	t.Cleanup(tearDown)

	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 200, 400 // tests apply a hundred CRDs at once
	c := &Cluster{Config: cfg, EtcdURL: url}
	if c.APIExtensions, err = clientset.NewForConfig(cfg); err != nil {
		t.Fatalf("apiextensions client: %v", err)
	}
	if c.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		t.Fatalf("dynamic client: %v", err)
	}
	return c
}

// Kubeconfig returns a kubeconfig for the server as the privileged user;
// see KubeconfigFor.
func (c *Cluster) Kubeconfig(contextName string) *clientcmdapi.Config {
	return KubeconfigFor(c.Config, contextName)
}

// KubeconfigFor returns a kubeconfig for cfg (server, CA, bearer token or
// client certificate) whose cluster, user and context are all named
// contextName, with contextName as current-context.
func KubeconfigFor(cfg *rest.Config, contextName string) *clientcmdapi.Config {
	kc := clientcmdapi.NewConfig()
	kc.Clusters[contextName] = &clientcmdapi.Cluster{
		Server:                   cfg.Host,
		CertificateAuthorityData: cfg.TLSClientConfig.CAData,
		TLSServerName:            cfg.TLSClientConfig.ServerName,
	}
	kc.AuthInfos[contextName] = &clientcmdapi.AuthInfo{
		Token:                 cfg.BearerToken,
		ClientCertificateData: cfg.TLSClientConfig.CertData,
		ClientKeyData:         cfg.TLSClientConfig.KeyData,
	}
	kc.Contexts[contextName] = &clientcmdapi.Context{Cluster: contextName, AuthInfo: contextName}
	kc.CurrentContext = contextName
	return kc
}

// WriteKubeconfig writes Kubeconfig(contextName) to a file in a temporary
// directory of t and returns its path.
func (c *Cluster) WriteKubeconfig(t testing.TB, contextName string) string {
	t.Helper()
	return WriteKubeconfig(t, c.Kubeconfig(contextName))
}

// WriteKubeconfig writes kc to a file in a temporary directory of t and
// returns its path.
func WriteKubeconfig(t testing.TB, kc *clientcmdapi.Config) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatalf("writing kubeconfig: %v", err)
	}
	return path
}

// ApplyCRDs creates crds and waits until every one is Established and its
// served versions are in discovery, so custom resources can be created.
func (c *Cluster) ApplyCRDs(t testing.TB, crds ...*apiextensionsv1.CustomResourceDefinition) {
	t.Helper()
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(4)
	for _, crd := range crds {
		g.Go(func() error {
			crd := crd.DeepCopy()
			crd.ResourceVersion = ""
			if _, err := c.APIExtensions.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("creating CRD %s: %w", crd.Name, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.waitServed(context.Background(), crds); err != nil {
		t.Fatal(err)
	}
}

// waitServed waits until every served version of crds is in discovery. The
// server lists a CRD's resources there only once it is Established, and
// discovery is much cheaper to poll than the CRDs themselves.
func (c *Cluster) waitServed(ctx context.Context, crds []*apiextensionsv1.CustomResourceDefinition) error {
	want := map[string]map[string]string{} // group/version -> plural -> CRD name
	for _, crd := range crds {
		for _, v := range crd.Spec.Versions {
			if v.Served {
				gv := crd.Spec.Group + "/" + v.Name
				if want[gv] == nil {
					want[gv] = map[string]string{}
				}
				want[gv][crd.Spec.Names.Plural] = crd.Name
			}
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8) // the group versions appear independently: wait for several at once
	for gv, plurals := range want {
		g.Go(func() error { return c.waitGroupVersion(ctx, gv, plurals) })
	}
	return g.Wait()
}

// waitGroupVersion waits until discovery lists the resources plurals (plural
// -> CRD name) in the group version gv.
func (c *Cluster) waitGroupVersion(ctx context.Context, gv string, plurals map[string]string) error {
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		list, err := c.APIExtensions.Discovery().ServerResourcesForGroupVersion(gv)
		if err != nil {
			return false, nil // the group appears with its first CRD
		}
		found := 0
		for _, r := range list.APIResources {
			if _, ok := plurals[r.Name]; ok {
				found++
			}
		}
		return found == len(plurals), nil
	})
	if err != nil {
		return fmt.Errorf("waiting for %s in discovery: %w%s", gv, err, c.notEstablished(context.WithoutCancel(ctx), plurals))
	}
	return nil
}

// notEstablished describes which of the named CRDs are not Established, for
// error messages.
func (c *Cluster) notEstablished(ctx context.Context, plurals map[string]string) string {
	var out string
	for _, name := range plurals {
		crd, err := c.APIExtensions.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			out += fmt.Sprintf("; %s: %v", name, err)
			continue
		}
		established := false
		for _, cond := range crd.Status.Conditions {
			established = established || cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue
		}
		if !established {
			out += fmt.Sprintf("; %s not Established: %+v", name, crd.Status.Conditions)
		}
	}
	return out
}

// Resource returns a dynamic client for obj's kind (in obj's namespace for
// namespaced kinds), found from the CRDs on the server.
func (c *Cluster) Resource(ctx context.Context, obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	crds, err := c.APIExtensions.ApiextensionsV1().CustomResourceDefinitions().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, crd := range crds.Items {
		if crd.Spec.Group != gvk.Group || crd.Spec.Names.Kind != gvk.Kind {
			continue
		}
		gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: crd.Spec.Names.Plural}
		if crd.Spec.Scope == apiextensionsv1.NamespaceScoped {
			return c.Dynamic.Resource(gvr).Namespace(obj.GetNamespace()), nil
		}
		return c.Dynamic.Resource(gvr), nil
	}
	return nil, fmt.Errorf("no CRD on the server for %s", gvk)
}

// Validate asks the server to create obj as a dry run: it runs the CRD's
// structural schema validation, defaulting, pruning and CEL
// x-kubernetes-validations and stores nothing. It returns the object the
// server would store, or the server's error: apierrors.IsInvalid for schema
// violations, apierrors.IsBadRequest for unknown fields (strict field
// validation).
func (c *Cluster) Validate(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	res, err := c.Resource(ctx, obj)
	if err != nil {
		return nil, err
	}
	return res.Create(ctx, obj, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: metav1.FieldValidationStrict})
}

// Create creates obj and returns what the server stored.
func (c *Cluster) Create(t testing.TB, obj *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	ctx := context.Background()
	res, err := c.Resource(ctx, obj)
	if err != nil {
		t.Fatalf("creating %s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
	got, err := res.Create(ctx, obj, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating %s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
	return got
}

// UpdateStatus writes obj's status through the status subresource (the
// server ignores status on Create when the CRD has one) and returns what the
// server stored. It reads the current resourceVersion first, so obj need not
// carry one.
func (c *Cluster) UpdateStatus(t testing.TB, obj *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	ctx := context.Background()
	res, err := c.Resource(ctx, obj)
	if err != nil {
		t.Fatalf("updating status of %s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
	cur, err := res.Get(ctx, obj.GetName(), metav1.GetOptions{})
	if err != nil {
		t.Fatalf("updating status of %s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
	obj = obj.DeepCopy()
	obj.SetResourceVersion(cur.GetResourceVersion())
	got, err := res.UpdateStatus(ctx, obj, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("updating status of %s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
	return got
}
