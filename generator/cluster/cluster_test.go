package cluster_test

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crdmon/crdmon/generator/cluster"
	"github.com/crdmon/crdmon/internal/testcluster"
	"github.com/crdmon/crdmon/internal/testutil"
	authorizationv1 "k8s.io/api/authorization/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const groupLabel = "crdmon.test/group"

// TestServer starts one real API server (a server takes seconds to start)
// whose authorizer lets only the user "lister" list CRDs, and runs the
// package's tests that need one against it.
func TestServer(t *testing.T) {
	c := testcluster.StartWithAuthorizer(t, func(spec authorizationv1.SubjectAccessReviewSpec) bool {
		ra := spec.ResourceAttributes
		return spec.User == "lister" && ra != nil && ra.Verb == "list" && (ra.Resource == "customresourcedefinitions" || ra.Resource == "routes")
	})
	t.Run("forbidden", func(t *testing.T) { testForbidden(t, c) })
	t.Run("corpus", func(t *testing.T) { testListCorpus(t, c) })
	t.Run("generate --from-cluster", func(t *testing.T) { testGenerateFromCluster(t, c) })
	t.Run("sample objects", func(t *testing.T) { testSampleObjects(t, c) })
}

// testListCorpus applies corpus CRDs (a sample of every project, all with
// CRDMON_FULL_CORPUS=1) to a real API server and lists them back through a
// kubeconfig file, --context, $KUBECONFIG, a label selector and small pages.
func testListCorpus(t *testing.T, c *testcluster.Cluster) {
	crds := testcluster.ReadCRDs(t, testutil.CorpusSample(t)...)
	for _, crd := range crds {
		crd.Labels = map[string]string{groupLabel: crd.Spec.Group}
	}
	start := time.Now()
	c.ApplyCRDs(t, crds...)
	t.Logf("applied %d CRDs in %s", len(crds), time.Since(start).Round(time.Millisecond))
	all := names(crds, func(*apiextensionsv1.CustomResourceDefinition) bool { return true })

	// The kubeconfig's current context is a decoy on a closed port; only
	// --context reaches the server.
	kc := c.Kubeconfig("crdmon-test")
	decoy := "https://" + closedAddr(t)
	kc.Clusters["decoy"] = &clientcmdapi.Cluster{Server: decoy}
	kc.AuthInfos["decoy"] = &clientcmdapi.AuthInfo{Token: "x"}
	kc.Contexts["decoy"] = &clientcmdapi.Context{Cluster: "decoy", AuthInfo: "decoy"}
	kc.CurrentContext = "decoy"
	path := testcluster.WriteKubeconfig(t, kc)
	ctx := context.Background()

	t.Run("kubeconfig and context", func(t *testing.T) {
		got, err := cluster.ListCRDs(ctx, cluster.Options{Kubeconfig: path, Context: "crdmon-test"})
		if err != nil {
			t.Fatal(err)
		}
		assertNames(t, got, all)
		for _, crd := range got {
			if crd.Kind != "CustomResourceDefinition" || crd.APIVersion != "apiextensions.k8s.io/v1" {
				t.Fatalf("%s: type %s %s, want apiextensions.k8s.io/v1 CustomResourceDefinition", crd.Name, crd.APIVersion, crd.Kind)
			}
		}
	})
	t.Run("current context is used without --context", func(t *testing.T) {
		_, err := cluster.ListCRDs(ctx, cluster.Options{Kubeconfig: path, Timeout: 5 * time.Second})
		wantErrParts(t, err, "cannot reach the API server at "+decoy, "check --context/--kubeconfig")
	})
	t.Run("KUBECONFIG", func(t *testing.T) {
		t.Setenv("KUBECONFIG", path)
		got, err := cluster.ListCRDs(ctx, cluster.Options{Context: "crdmon-test"})
		if err != nil {
			t.Fatal(err)
		}
		assertNames(t, got, all)
	})
	t.Run("unknown context", func(t *testing.T) {
		_, err := cluster.ListCRDs(ctx, cluster.Options{Kubeconfig: path, Context: "nope"})
		wantErrParts(t, err, `context "nope" not found in the kubeconfig (contexts: crdmon-test, decoy)`)
	})
	t.Run("selector", func(t *testing.T) {
		for _, tc := range []struct {
			selector string
			groups   []string
		}{
			{groupLabel + "=monitoring.coreos.com", []string{"monitoring.coreos.com"}},
			{groupLabel + " in (velero.io,keda.sh)", []string{"velero.io", "keda.sh"}},
			{"!" + groupLabel, nil},
		} {
			got, err := cluster.ListCRDs(ctx, cluster.Options{Kubeconfig: path, Context: "crdmon-test", Selector: tc.selector})
			if err != nil {
				t.Fatalf("%s: %v", tc.selector, err)
			}
			want := names(crds, func(crd *apiextensionsv1.CustomResourceDefinition) bool {
				return slices.Contains(tc.groups, crd.Spec.Group)
			})
			if len(tc.groups) > 0 && len(want) == 0 {
				t.Fatalf("%s: corpus has no CRDs in %v", tc.selector, tc.groups)
			}
			assertNames(t, got, want)
		}
	})
	t.Run("pages", func(t *testing.T) {
		cfg := rest.CopyConfig(c.Config)
		var requests atomic.Int64
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if strings.HasSuffix(r.URL.Path, "/customresourcedefinitions") {
					requests.Add(1)
				}
				return rt.RoundTrip(r)
			})
		})
		const pageSize = 7
		got, err := cluster.ListCRDsWithConfig(ctx, cfg, cluster.Options{PageSize: pageSize})
		if err != nil {
			t.Fatal(err)
		}
		assertNames(t, got, all)
		if want := int64((len(all) + pageSize - 1) / pageSize); requests.Load() != want {
			t.Errorf("%d list requests for %d CRDs in pages of %d, want %d", requests.Load(), len(all), pageSize, want)
		}
	})
}

func TestUnreachable(t *testing.T) {
	cfg := &rest.Config{Host: "https://" + closedAddr(t)}
	_, err := cluster.ListCRDsWithConfig(context.Background(), cfg, cluster.Options{Timeout: 2 * time.Second})
	wantErrParts(t, err, "cannot reach the API server at "+cfg.Host, "check --context/--kubeconfig")
}

// TestTimeout points at a port that accepts connections and never answers.
func TestTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	cfg := &rest.Config{Host: "https://" + l.Addr().String()}
	start := time.Now()
	_, err = cluster.ListCRDsWithConfig(context.Background(), cfg, cluster.Options{Timeout: 300 * time.Millisecond})
	wantErrParts(t, err, "cannot reach the API server at "+cfg.Host)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %s, want about the 300ms timeout", d)
	}
}

func TestBadSelector(t *testing.T) {
	// Checked before any kubeconfig is read or request made.
	_, err := cluster.ListCRDs(context.Background(), cluster.Options{Kubeconfig: "/nonexistent", Selector: "a in ("})
	wantErrParts(t, err, `invalid label selector "a in ("`)
}

func TestNoKubeconfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("KUBECONFIG", filepath.Join(dir, "missing"))
	t.Setenv("KUBERNETES_SERVICE_HOST", "") // no in-cluster fallback
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
	_, err := cluster.ListCRDs(context.Background(), cluster.Options{})
	wantErrParts(t, err, "no kubeconfig found")
	_, err = cluster.ListCRDs(context.Background(), cluster.Options{Context: "prod"})
	wantErrParts(t, err, "no kubeconfig found", `context "prod"`)

	_, err = cluster.ListCRDs(context.Background(), cluster.Options{Kubeconfig: filepath.Join(dir, "also-missing")})
	wantErrParts(t, err, "loading kubeconfig", "also-missing")
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	return addr
}

func names(crds []*apiextensionsv1.CustomResourceDefinition, keep func(*apiextensionsv1.CustomResourceDefinition) bool) []string {
	var out []string
	for _, crd := range crds {
		if keep(crd) {
			out = append(out, crd.Name)
		}
	}
	slices.Sort(out)
	return out
}

// assertNames checks got holds exactly the CRDs named want, in that order.
func assertNames(t *testing.T, got []apiextensionsv1.CustomResourceDefinition, want []string) {
	t.Helper()
	var gotNames []string
	for _, crd := range got {
		gotNames = append(gotNames, crd.Name)
	}
	if !slices.Equal(gotNames, want) {
		t.Errorf("listed %d CRDs %v\nwant %d %v", len(gotNames), gotNames, len(want), want)
	}
}

func wantErrParts(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
