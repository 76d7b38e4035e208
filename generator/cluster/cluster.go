// Package cluster reads CustomResourceDefinitions from a live Kubernetes
// cluster. It is read-only: the only request it makes is
// `list customresourcedefinitions` (paginated).
package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// DefaultTimeout bounds the whole listing when Options.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// DefaultPageSize is the number of CRDs requested per page when
// Options.PageSize is zero.
const DefaultPageSize = 100

// Options selects the cluster and the CRDs to read.
type Options struct {
	// Kubeconfig is an explicit kubeconfig file. Empty means the usual
	// client-go rules: $KUBECONFIG (a list of files), then ~/.kube/config.
	Kubeconfig string
	// Context overrides the kubeconfig's current-context.
	Context string
	// Selector is a label selector restricting the CRDs listed, e.g.
	// "app.kubernetes.io/part-of=cert-manager". Empty lists all.
	Selector string
	// Timeout bounds the whole listing, all pages included; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// PageSize is the list page size (Limit); 0 means DefaultPageSize.
	PageSize int64
}

// ListCRDs loads the kubeconfig selected by opts and lists the cluster's
// CustomResourceDefinitions, sorted by name.
func ListCRDs(ctx context.Context, opts Options) ([]apiextensionsv1.CustomResourceDefinition, error) {
	if _, err := parseSelector(opts.Selector); err != nil {
		return nil, err
	}
	cfg, err := RESTConfig(opts)
	if err != nil {
		return nil, err
	}
	return ListCRDsWithConfig(ctx, cfg, opts)
}

// RESTConfig resolves the client configuration from opts.Kubeconfig and
// opts.Context with client-go's loading rules.
func RESTConfig(opts Options) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if opts.Kubeconfig != "" {
		rules.ExplicitPath = opts.Kubeconfig
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: opts.Context}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	if opts.Context != "" {
		raw, err := loader.RawConfig()
		if err != nil {
			return nil, fmt.Errorf("loading kubeconfig: %w", err)
		}
		if len(raw.Contexts) == 0 {
			return nil, fmt.Errorf("%s to take context %q from", noKubeconfig, opts.Context)
		}
		if _, ok := raw.Contexts[opts.Context]; !ok {
			return nil, fmt.Errorf("context %q not found in the kubeconfig (contexts: %s)", opts.Context, contextNames(raw.Contexts))
		}
	}
	cfg, err := loader.ClientConfig()
	switch {
	case err == nil:
		return cfg, nil
	case clientcmd.IsEmptyConfig(err):
		return nil, fmt.Errorf("%s: %w", noKubeconfig, err)
	default:
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
}

// noKubeconfig says where kubeconfigs were looked for.
var noKubeconfig = "no kubeconfig found (looked at --kubeconfig, $KUBECONFIG and " + clientcmd.RecommendedHomeFile + ")"

// contextNames lists a kubeconfig's context names, sorted, for messages.
func contextNames(contexts map[string]*clientcmdapi.Context) string {
	names := make([]string, 0, len(contexts))
	for name := range contexts {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// ListCRDsWithConfig lists CustomResourceDefinitions from the API server cfg
// points at, sorted by name. Only opts.Selector, opts.Timeout and
// opts.PageSize are used; cfg is not modified.
func ListCRDsWithConfig(ctx context.Context, cfg *rest.Config, opts Options) ([]apiextensionsv1.CustomResourceDefinition, error) {
	selector, err := parseSelector(opts.Selector)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	pageSize := opts.PageSize
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}

	client, err := crdClient(cfg, timeout)
	if err != nil {
		return nil, fmt.Errorf("building a client for %s: %w", cfg.Host, err)
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var crds []apiextensionsv1.CustomResourceDefinition
	listOpts := metav1.ListOptions{LabelSelector: selector, Limit: pageSize}
	for {
		var page apiextensionsv1.CustomResourceDefinitionList
		err := client.Get().Resource("customresourcedefinitions").VersionedParams(&listOpts, metav1.ParameterCodec).Do(ctx).Into(&page)
		if err != nil {
			return nil, explain(cfg.Host, err)
		}
		crds = append(crds, page.Items...)
		if page.Continue == "" {
			break
		}
		listOpts.Continue = page.Continue
	}

	for i := range crds {
		// List items carry no type information; set it so the CRDs look
		// like the ones read from files.
		crds[i].APIVersion = apiextensionsv1.SchemeGroupVersion.String()
		crds[i].Kind = "CustomResourceDefinition"
	}
	sort.Slice(crds, func(i, j int) bool { return crds[i].Name < crds[j].Name })
	return crds, nil
}

// crdClient returns a REST client for the apiextensions.k8s.io/v1 API of
// the server cfg points at, as the generated apiextensions clientset builds
// it (which crdmon does not import: it links clients and apply
// configurations for every API version into the binary).
func crdClient(cfg *rest.Config, timeout time.Duration) (*rest.RESTClient, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = timeout
	cfg = rest.AddUserAgent(cfg, "crdmon")
	cfg.APIPath = "/apis"
	cfg.GroupVersion = &apiextensionsv1.SchemeGroupVersion
	cfg.NegotiatedSerializer = codecs().WithoutConversion()
	return rest.RESTClientFor(cfg)
}

// codecs decode CRD lists and the API server's Status errors.
var codecs = sync.OnceValue(func() serializer.CodecFactory {
	scheme := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(scheme); err != nil {
		panic(err)
	}
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	return serializer.NewCodecFactory(scheme)
})

// parseSelector validates a label selector and returns its canonical form.
func parseSelector(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	sel, err := labels.Parse(s)
	if err != nil {
		return "", fmt.Errorf("invalid label selector %q: %w", s, err)
	}
	return sel.String(), nil
}

// explain turns a list error into a message that says what to check.
func explain(host string, err error) error {
	var status apierrors.APIStatus
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Errorf("the current user may not list customresourcedefinitions (RBAC): %w", err)
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("the API server at %s rejected the credentials (check --context/--kubeconfig): %w", host, err)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("the API server at %s does not serve apiextensions.k8s.io/v1 customresourcedefinitions: %w", host, err)
	case apierrors.IsResourceExpired(err):
		return fmt.Errorf("the CRD list changed while paging, retry: %w", err)
	case errors.As(err, &status):
		return fmt.Errorf("listing customresourcedefinitions from %s: %w", host, err)
	default:
		// No API status: the request never got an answer (refused
		// connection, DNS, TLS, timeout).
		return fmt.Errorf("cannot reach the API server at %s: %w, check --context/--kubeconfig", host, err)
	}
}
