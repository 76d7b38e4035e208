package ksmeval

import (
	"strings"
)

// PromQLLoad renders the samples as a promqltest "load" block (also the
// series notation of promtool rule tests): every series holds its value for
// repeat+1 steps of step (a Prometheus duration such as "1m"). A series
// repeated within one scrape (a map node without labelFromKey) keeps its
// first value, as Prometheus does when it ingests the scrape.
func (r Result) PromQLLoad(step string, repeat int) string {
	var b strings.Builder
	b.WriteString("load " + step + "\n")
	seen := map[string]bool{}
	for _, s := range r.Samples() {
		var line strings.Builder
		writeSeries(&line, s.Name, s.Labels)
		key := line.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		b.WriteString("  " + key)
		v := " " + FormatValue(s.Value)
		for i := 0; i <= repeat; i++ {
			b.WriteString(v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
