//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crdmon/crdmon/generator/series"
)

// controller is a synthetic controller-runtime controller whose metrics the
// exporter serves.
type controller struct {
	name       string   // controller label (controller-runtime's default: the lower-cased kind)
	reconciles float64  // per second
	errorShare float64  // share of reconciles that fail
	depth      float64  // workqueue depth
	alerts     []string // alerts the generated rules must fire for it
}

// exporter serves controller-runtime counters that grow with time, as the
// controllers' processes would.
type exporter struct {
	controllers []controller
	start       time.Time
}

// serve starts the exporter on a random loopback port and returns its host:port.
func (e *exporter) serve(t *testing.T) string {
	e.start = time.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// Prometheus 3 refuses a scrape without a valid Content-Type.
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Write([]byte(e.controllerText(time.Since(e.start).Seconds())))
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// controllerText renders the controller-runtime families after elapsed
// seconds: every reconcile takes 50ms, so p99 latency is under 0.1s.
func (e *exporter) controllerText(elapsed float64) string {
	var b strings.Builder
	family := func(name, typ string, line func(c controller) string) {
		fmt.Fprintf(&b, "# HELP %s Synthetic controller-runtime metric.\n# TYPE %s %s\n", name, name, typ)
		for _, c := range e.controllers {
			b.WriteString(line(c))
		}
	}
	total := func(c controller) float64 { return c.reconciles * elapsed }
	errs := func(c controller) float64 { return c.reconciles * c.errorShare * elapsed }
	family(series.ReconcileTotal, "counter", func(c controller) string {
		return fmt.Sprintf("%s{controller=%q,result=\"success\"} %g\n%s{controller=%q,result=\"error\"} %g\n",
			series.ReconcileTotal, c.name, total(c)-errs(c), series.ReconcileTotal, c.name, errs(c))
	})
	family(series.ReconcileErrorsTotal, "counter", func(c controller) string {
		return fmt.Sprintf("%s{controller=%q} %g\n", series.ReconcileErrorsTotal, c.name, errs(c))
	})
	h := series.ReconcileTimeSeconds
	family(h, "histogram", func(c controller) string {
		n := total(c)
		return fmt.Sprintf("%s_bucket{controller=%q,le=\"0.01\"} 0\n%s_bucket{controller=%q,le=\"0.1\"} %g\n"+
			"%s_bucket{controller=%q,le=\"+Inf\"} %g\n%s_sum{controller=%q} %g\n%s_count{controller=%q} %g\n",
			h, c.name, h, c.name, n, h, c.name, n, h, c.name, 0.05*n, h, c.name, n)
	})
	family(series.WorkqueueDepth, "gauge", func(c controller) string {
		return fmt.Sprintf("%s{name=%q} %g\n", series.WorkqueueDepth, c.name, c.depth)
	})
	return b.String()
}
