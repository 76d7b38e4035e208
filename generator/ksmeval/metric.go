package ksmeval

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crdmon/crdmon/generator/ksm"
)

// Lower-cased metric types, the only ones kube-state-metrics accepts.
const (
	typeGauge    = "gauge"
	typeInfo     = "info"
	typeStateSet = "stateset"
)

// eachValue is one sample produced inside "each", before the family labels
// are filled in.
type eachValue struct {
	labels map[string]string
	value  float64
}

// compiledEach is the compiled "each" block of one generator.
type compiledEach struct {
	typ          string
	path         valuePath
	valueFrom    valuePath
	labels       map[string]valuePath
	labelFromKey string
	nilIsZero    bool
	labelName    string
	list         []string
}

// compileEach validates and compiles an "each" block whose type is already
// lower-cased, with kube-state-metrics' error wording.
func compileEach(m ksm.Metric) (*compiledEach, error) {
	var (
		block     string
		path      []string
		valueFrom []string
		labels    map[string][]string
		c         = &compiledEach{typ: m.Type}
	)
	switch m.Type {
	case typeGauge:
		if m.Gauge == nil {
			return nil, errors.New("expected each.gauge to not be nil")
		}
		block, path, valueFrom, labels = "gauge", m.Gauge.Path, m.Gauge.ValueFrom, m.Gauge.LabelsFromPath
		c.labelFromKey, c.nilIsZero = m.Gauge.LabelFromKey, m.Gauge.NilIsZero
	case typeInfo:
		if m.Info == nil {
			return nil, errors.New("expected each.info to not be nil")
		}
		block, path, labels = "info", m.Info.Path, m.Info.LabelsFromPath
		c.labelFromKey = m.Info.LabelFromKey
	case typeStateSet:
		if m.StateSet == nil {
			return nil, errors.New("expected each.stateSet to not be nil")
		}
		block, path, valueFrom, labels = "stateSet", m.StateSet.Path, m.StateSet.ValueFrom, m.StateSet.LabelsFromPath
		c.labelName, c.list = m.StateSet.LabelName, m.StateSet.List
	default:
		return nil, fmt.Errorf("unknown metric type %s", m.Type)
	}
	var err error
	if c.path, err = compilePath(path); err != nil {
		return nil, fmt.Errorf("each.%s: path: %w", block, err)
	}
	if c.labels, err = compilePaths(labels); err != nil {
		return nil, fmt.Errorf("each.%s: labelsFromPath: %w", block, err)
	}
	if c.valueFrom, err = compilePath(valueFrom); err != nil {
		return nil, fmt.Errorf("each.%s.valueFrom: %w", block, err)
	}
	return c, nil
}

// values produces the samples for the node the path resolved to.
func (c *compiledEach) values(node any) ([]eachValue, []error) {
	switch c.typ {
	case typeGauge:
		return c.gaugeValues(node)
	case typeInfo:
		return c.infoValues(node)
	default:
		return c.stateSetValues(node)
	}
}

// gaugeValues follows reference §6 Gauge: one sample for a scalar, one per
// list element (elements lacking valueFrom silently skipped), one per map key
// (with the single-segment valueFrom special case and labels resolved against
// the child and then the map itself).
func (c *compiledEach) gaugeValues(node any) (result []eachValue, errs []error) {
	onError := func(err error) { errs = append(errs, fmt.Errorf("%s: %v", c.path, err)) }
	switch n := node.(type) {
	case map[string]any:
		// kube-state-metrics matches the map key against valueFrom's
		// rendering "[seg]" when it has one segment and no comma.
		single := c.valueFrom.String()
		single = single[1 : len(single)-1]
		special := len(c.valueFrom) > 0 && single != "" && !strings.Contains(single, ",")
		for _, key := range slices.Sorted(maps.Keys(n)) {
			child := n[key]
			var ev *eachValue
			if special && key == single {
				f, err := toFloat64(child, c.nilIsZero)
				if err != nil {
					onError(fmt.Errorf("[%s]: %w", key, err))
					continue
				}
				ev = &eachValue{labels: map[string]string{}, value: f}
			} else {
				// Errors from the fallback are dropped by kube-state-metrics:
				// it only looks at whether a value came back.
				ev, _ = c.gaugeValue(child)
				if ev == nil {
					continue
				}
			}
			if key != "" && c.labelFromKey != "" {
				ev.labels[c.labelFromKey] = key
			}
			addPathLabels(child, c.labels, ev.labels)
			addPathLabels(n, c.labels, ev.labels)
			result = append(result, *ev)
		}
	case []any:
		for i, el := range n {
			ev, err := c.gaugeValue(el)
			if err != nil {
				onError(fmt.Errorf("[%d]: %w", i, err))
				continue
			}
			if ev == nil {
				continue
			}
			addPathLabels(el, c.labels, ev.labels)
			result = append(result, *ev)
		}
	default:
		ev, err := c.gaugeValue(node)
		if err != nil {
			onError(err)
			break
		}
		if ev == nil {
			break
		}
		addPathLabels(node, c.labels, ev.labels)
		result = append(result, *ev)
	}
	return result, errs
}

// gaugeValue resolves valueFrom on one node: nil with nilIsZero → 0, nil node
// → "got nil while resolving path", nil valueFrom on a present node → no
// sample and no error.
func (c *compiledEach) gaugeValue(node any) (*eachValue, error) {
	got := c.valueFrom.get(node)
	if got == nil {
		if c.nilIsZero {
			return &eachValue{labels: map[string]string{}}, nil
		}
		if node == nil {
			return nil, errors.New("got nil while resolving path")
		}
		return nil, nil
	}
	f, err := toFloat64(got, c.nilIsZero)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.valueFrom, err)
	}
	return &eachValue{labels: map[string]string{}, value: f}, nil
}

// infoValues follows reference §6 Info: labels only from each.info; a list
// gives one series per element, a map one series for itself plus one per key.
func (c *compiledEach) infoValues(node any) (result []eachValue, errs []error) {
	switch n := node.(type) {
	case []any:
		for _, el := range n {
			result = append(result, c.infoValue(el)...)
		}
	case map[string]any:
		own := c.infoValue(n)
		for _, ev := range own {
			if _, ok := ev.labels[c.labelFromKey]; ok {
				err := fmt.Errorf("labelFromKey (%s) generated labels conflict with labelsFromPath, consider renaming it", c.labelFromKey)
				// kube-state-metrics formats the []error it collected with %v.
				errs = append(errs, fmt.Errorf("%s: %v", c.path, []error{err}))
			}
		}
		for _, key := range slices.Sorted(maps.Keys(n)) {
			labels := map[string]string{}
			if key != "" && c.labelFromKey != "" {
				labels[c.labelFromKey] = key
			}
			addPathLabels(n[key], c.labels, labels)
			if len(labels) > 0 {
				result = append(result, eachValue{labels: labels, value: 1})
			}
		}
		result = append(result, own...)
	default:
		result = c.infoValue(node)
	}
	return result, errs
}

// infoValue is one Info series from node, or none when it has no label.
func (c *compiledEach) infoValue(node any) []eachValue {
	if node == nil {
		return nil
	}
	labels := map[string]string{}
	addPathLabels(node, c.labels, labels)
	if len(labels) == 0 {
		return nil
	}
	return []eachValue{{labels: labels, value: 1}}
}

// stateSetValues follows reference §6 StateSet: one series per list entry,
// repeated per element when the node is a list; nil is quiet, a non-string
// value is an error.
func (c *compiledEach) stateSetValues(node any) (result []eachValue, errs []error) {
	if list, ok := node.([]any); ok {
		for _, el := range list {
			evs, err := c.stateSetValue(el)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			result = append(result, evs...)
		}
		return result, errs
	}
	evs, err := c.stateSetValue(node)
	if err != nil {
		return nil, []error{err}
	}
	return evs, nil
}

func (c *compiledEach) stateSetValue(node any) ([]eachValue, error) {
	got := c.valueFrom.get(node)
	if got == nil {
		return nil, nil
	}
	s, ok := got.(string)
	if !ok {
		return nil, fmt.Errorf("%s: expected value for path to be string, got %T", c.path, got)
	}
	result := make([]eachValue, 0, len(c.list))
	for _, entry := range c.list {
		ev := eachValue{labels: map[string]string{c.labelName: entry}}
		if s == entry {
			ev.value = 1
		}
		addPathLabels(node, c.labels, ev.labels)
		result = append(result, ev)
	}
	return result, nil
}
