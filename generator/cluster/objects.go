package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"

	"github.com/crdmon/crdmon/generator/ksmeval"
)

// Resource is a custom resource to sample objects of: its group, the
// version to list them at, and its plural.
type Resource struct {
	Group, Version, Plural string
}

// String is plural.group, as RBAC rules and kubectl name resources.
func (r Resource) String() string { return r.Plural + "." + r.Group }

// SampleRBAC is the ClusterRole --sample-objects needs besides listing
// CRDs, for resources rs: list, and nothing else.
func SampleRBAC(rs []Resource) string {
	s := "kubectl create clusterrole crdmon-sample-objects --verb=list"
	for _, r := range rs {
		s += " --resource=" + r.String()
	}
	return s
}

// Sample is what SampleObjects read.
type Sample struct {
	Objects []map[string]any
	// Skipped says, per resource that could not be listed, why: the RBAC
	// it lacks, or the error.
	Skipped []string
}

// SampleObjects lists up to n objects of each resource, across namespaces,
// from the cluster opts selects. It is read-only: one `list` request with
// limit n per resource. A resource the user may not list, or whose list
// fails, is skipped with the reason; only a cluster that cannot be reached
// at all is an error.
func SampleObjects(ctx context.Context, opts Options, rs []Resource, n int64) (Sample, error) {
	cfg, err := RESTConfig(opts)
	if err != nil {
		return Sample{}, err
	}
	return SampleObjectsWithConfig(ctx, cfg, opts, rs, n)
}

// SampleObjectsWithConfig is SampleObjects against the API server cfg
// points at; only opts.Timeout is used.
func SampleObjectsWithConfig(ctx context.Context, cfg *rest.Config, opts Options, rs []Resource, n int64) (Sample, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	client, err := crdClient(cfg, timeout)
	if err != nil {
		return Sample{}, fmt.Errorf("building a client for %s: %w", cfg.Host, err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var out Sample
	for _, r := range rs {
		start := time.Now()
		raw, err := client.Get().AbsPath("/apis", r.Group, r.Version, r.Plural).
			Param("limit", strconv.FormatInt(n, 10)).DoRaw(ctx)
		var status apierrors.APIStatus
		switch {
		case apierrors.IsForbidden(err):
			out.Skipped = append(out.Skipped, fmt.Sprintf("%s: skipped, the current user may not list it (RBAC: %s): %v", r, SampleRBAC([]Resource{r}), err))
			continue
		case err != nil && !errors.As(err, &status):
			return out, fmt.Errorf("cannot reach the API server at %s: %w (after %s), check --context/--kubeconfig", cfg.Host, err, time.Since(start).Round(time.Millisecond))
		case err != nil:
			out.Skipped = append(out.Skipped, fmt.Sprintf("%s: skipped, listing it failed: %v", r, err))
			continue
		}
		objs, err := ksmeval.LoadObjects(bytes.NewReader(raw), "list "+r.String())
		if err != nil {
			out.Skipped = append(out.Skipped, fmt.Sprintf("%s: skipped, its list did not decode: %v", r, err))
			continue
		}
		out.Objects = append(out.Objects, objs...)
	}
	return out, nil
}
