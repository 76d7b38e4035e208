//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// dashboard is the part of a generated Grafana dashboard the suite reads.
type dashboard struct {
	Title      string      `json:"title"`
	Panels     []dashPanel `json:"panels"`
	Templating struct {
		List []dashVariable `json:"list"`
	} `json:"templating"`
}

type dashPanel struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	Targets []struct {
		RefID   string `json:"refId"`
		Expr    string `json:"expr"`
		Instant bool   `json:"instant"`
	} `json:"targets"`
	Panels []dashPanel `json:"panels"` // of a collapsed row
}

type dashVariable struct {
	Name  string          `json:"name"`
	Type  string          `json:"type"`
	Query json.RawMessage `json:"query"`
}

// query is the variable's query: a string, or an object's "query" field.
func (v dashVariable) query() string {
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var m struct {
		Query string `json:"query"`
	}
	_ = json.Unmarshal(v.Query, &m)
	return m.Query
}

// panelQuery is one target of one panel.
type panelQuery struct {
	panel, refID, expr string
	instant            bool
}

func (q panelQuery) String() string { return fmt.Sprintf("panel %q target %s", q.panel, q.refID) }

// queries lists every panel target, collapsed rows' panels included.
func (d dashboard) queries() []panelQuery {
	var out []panelQuery
	var walk func([]dashPanel)
	walk = func(ps []dashPanel) {
		for _, p := range ps {
			for _, tg := range p.Targets {
				out = append(out, panelQuery{panel: p.Title, refID: tg.RefID, expr: tg.Expr, instant: tg.Instant})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

// grafanaBuiltins are Grafana's global variables as a 5m dashboard range
// with a 15s interval gives them.
var grafanaBuiltins = map[string]string{
	"__rate_interval": "1m", "__rate_interval_ms": "60000",
	"__interval": "15s", "__interval_ms": "15000",
	"__range": "5m", "__range_s": "300", "__range_ms": "300000",
}

// varRef matches Grafana variable references: $var, ${var}, ${var:format}, [[var]].
var varRef = regexp.MustCompile(`\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)`)

// expand substitutes Grafana variables in expr. References to names vals
// does not hold are returned as unknown, except $1-style regex group
// references (label_replace), which Grafana leaves alone too.
func expand(expr string, vals map[string]string) (string, []string) {
	var unknown []string
	out := varRef.ReplaceAllStringFunc(expr, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		if v, ok := vals[name]; ok {
			return v
		}
		if strings.Trim(name, "0123456789") != "" {
			unknown = append(unknown, ref)
		}
		return ref
	})
	return out, unknown
}

var labelValuesRe = regexp.MustCompile(`^\s*label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$`)
