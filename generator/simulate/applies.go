package simulate

import (
	"fmt"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/crdmon/crdmon/generator/internal/promqlx"
	"github.com/crdmon/crdmon/generator/ksmeval"
	crdrules "github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/series"
)

// kindKey names a kind across versions.
type kindKey struct{ group, kind string }

// familyShape is what one generator of a kube-state-metrics config entry can
// produce: its metric name, labels with a value fixed by the config, and
// labels read from objects.
type familyShape struct {
	name  string
	fixed map[string]string
	free  map[string]bool
}

// shapes returns the family shapes of every kind of a config's resources,
// as kube-state-metrics resolved them (wildcards expanded).
func shapes(resolved []ksmeval.Resolved) map[kindKey][]familyShape {
	out := map[kindKey][]familyShape{}
	for _, rr := range resolved {
		r := rr.Config
		prefix := ksmeval.DefaultPrefix
		if r.MetricNamePrefix != nil {
			prefix = *r.MetricNamePrefix
		}
		gvk := rr.GVK
		for _, g := range r.Metrics {
			s := familyShape{name: series.Name(prefix, g.Name), fixed: map[string]string{}, free: map[string]bool{}}
			s.fixed[series.LabelGroup], s.fixed[series.LabelKind], s.fixed[series.LabelVersion] = gvk.Group, gvk.Kind, gvk.Version
			for _, m := range []map[string]string{r.CommonLabels, g.CommonLabels} {
				for k, v := range m {
					s.fixed[k] = v
				}
			}
			free := []map[string][]string{r.LabelsFromPath, g.LabelsFromPath}
			var fromKey []string
			switch {
			case g.Each.Gauge != nil:
				free = append(free, g.Each.Gauge.LabelsFromPath)
				fromKey = append(fromKey, g.Each.Gauge.LabelFromKey)
			case g.Each.Info != nil:
				free = append(free, g.Each.Info.LabelsFromPath)
				fromKey = append(fromKey, g.Each.Info.LabelFromKey)
			case g.Each.StateSet != nil:
				free = append(free, g.Each.StateSet.LabelsFromPath)
				fromKey = append(fromKey, g.Each.StateSet.LabelName)
			}
			for _, m := range free {
				for k := range m {
					s.free[k] = true
				}
			}
			for _, k := range fromKey {
				if k != "" {
					s.free[k] = true
				}
			}
			k := kindKey{gvk.Group, gvk.Kind}
			out[k] = append(out[k], s)
		}
	}
	return out
}

// couldMatch reports whether a series of this shape could be selected by sel.
func (s familyShape) couldMatch(sel *parser.VectorSelector) bool {
	if promqlx.MetricName(sel) != s.name {
		return false
	}
	for _, m := range sel.LabelMatchers {
		if m.Name == labels.MetricName {
			continue
		}
		if v, ok := s.fixed[m.Name]; ok {
			if !m.Matches(v) {
				return false
			}
		} else if !s.free[m.Name] && !m.Matches("") {
			return false
		}
	}
	return true
}

// records parses the recording rules by name, for following a recorded
// series to what feeds it.
func records(recs []Recording) (map[string]parser.Expr, error) {
	out := map[string]parser.Expr{}
	for _, r := range recs {
		x, err := promqlParser.ParseExpr(r.Expr)
		if err != nil {
			return nil, fmt.Errorf("%s: recording rule %s: %w", r.File, r.Record, err)
		}
		crdrules.AddRecord(out, r.Record, x)
	}
	return out, nil
}

// reads reports whether an alert can come from series of a kind with these
// shapes: one of the series it reads (not those it only subtracts with
// unless), followed through the recording rules to the kube-state-metrics
// families that feed them, could be one of the kind's.
func reads(r *Rule, recorded map[string]parser.Expr, prefix string, kindShapes []familyShape) bool {
	for _, sel := range promqlx.Sources(r.Expr, recorded, series.Name(prefix, series.Info)) {
		for _, s := range kindShapes {
			if s.couldMatch(sel) {
				return true
			}
		}
	}
	return false
}

// readsObjects reports whether an alert reads series of objects: crdmon's
// kube-state-metrics series (named with prefix) or recorded series (a name
// with a colon).
func readsObjects(r *Rule, prefix string) bool {
	for _, sel := range promqlx.Unsilenced(r.Expr, series.Name(prefix, series.Info)) {
		name := promqlx.MetricName(sel)
		if strings.Contains(name, ":") || strings.HasPrefix(name, series.Name(prefix, "")) {
			return true
		}
	}
	return false
}
