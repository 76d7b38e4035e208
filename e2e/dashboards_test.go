//go:build e2e

package e2e

// grafanaBuiltins are Grafana's global variables as a 5m dashboard range
// with a 15s interval gives them.
var grafanaBuiltins = map[string]string{
	"__rate_interval": "1m", "__rate_interval_ms": "60000",
	"__interval": "15s", "__interval_ms": "15000",
	"__range": "5m", "__range_s": "300", "__range_ms": "300000",
}
