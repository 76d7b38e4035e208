//go:build e2e

package e2e

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/series"
)

// exposition is a Prometheus text exposition as served, restricted to some
// metric names: its HELP/TYPE lines and its samples by series.
type exposition struct {
	headers map[string]bool         // "# HELP name text", "# TYPE name type"
	samples map[string]servedSample // by seriesKey
}

// servedSample is one sample line.
type servedSample struct {
	name   string
	labels map[string]string
	value  float64
	line   string // as served
}

// parseExposition reads the text format; lines of metric names not in
// names, and other comments, are left out.
func parseExposition(text string, names map[string]bool) (exposition, error) {
	e := exposition{headers: map[string]bool{}, samples: map[string]servedSample{}}
	for i, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			f := strings.Fields(line)
			if len(f) >= 3 && (f[1] == "HELP" || f[1] == "TYPE") && names[f[2]] {
				e.headers[line] = true
			}
			continue
		}
		s, err := parseSample(line)
		if err != nil {
			return exposition{}, fmt.Errorf("line %d %q: %w", i+1, line, err)
		}
		if !names[s.name] {
			continue
		}
		key := seriesKey(s.name, s.labels)
		if _, dup := e.samples[key]; dup {
			return exposition{}, fmt.Errorf("line %d: series %s served twice", i+1, key)
		}
		e.samples[key] = s
	}
	return e, nil
}

// parseSample parses name{k="v",...} value (no timestamp: kube-state-metrics
// writes none).
func parseSample(line string) (servedSample, error) {
	s := servedSample{labels: map[string]string{}, line: line}
	end := strings.IndexAny(line, "{ ")
	if end <= 0 {
		return s, fmt.Errorf("no metric name")
	}
	s.name, line = line[:end], line[end:]
	if strings.HasPrefix(line, "{") {
		line = line[1:]
		for !strings.HasPrefix(line, "}") {
			eq := strings.Index(line, `="`)
			if eq <= 0 {
				return s, fmt.Errorf("bad label at %q", line)
			}
			name := strings.TrimPrefix(line[:eq], ",")
			var val strings.Builder
			i := eq + 2
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) {
					i++
					switch line[i] {
					case 'n':
						val.WriteByte('\n')
					default:
						val.WriteByte(line[i])
					}
					continue
				}
				val.WriteByte(line[i])
			}
			if i == len(line) {
				return s, fmt.Errorf("unterminated label value")
			}
			s.labels[name] = val.String()
			line = strings.TrimPrefix(line[i+1:], ",")
		}
		line = line[1:]
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(line), 64)
	if err != nil {
		return s, err
	}
	s.value = v
	return s, nil
}

// seriesKey renders a series with its labels sorted.
func seriesKey(name string, labels map[string]string) string {
	var b strings.Builder
	b.WriteString(name + "{")
	for i, k := range slices.Sorted(maps.Keys(labels)) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", k, labels[k])
	}
	b.WriteString("}")
	return b.String()
}

// objectOf names the object a series is about, from the labels every
// crdmon family carries (kube-state-metrics' GVK labels, name and namespace).
func objectOf(labels map[string]string) string {
	return objectID(labels[series.LabelGroup], labels[series.LabelKind], labels[series.LabelNamespace], labels[series.LabelName])
}

// diffExpositions lists how got (kube-state-metrics) differs from want
// (crdmon's emulation): per object, each differing series with both sides
// next to each other; then HELP/TYPE lines only one side has.
func diffExpositions(want, got exposition) []string {
	type pair struct{ want, got *servedSample }
	byObject := map[string]map[string]pair{}
	add := func(key string, p pair) {
		s := p.want
		if s == nil {
			s = p.got
		}
		obj := objectOf(s.labels)
		if byObject[obj] == nil {
			byObject[obj] = map[string]pair{}
		}
		byObject[obj][key] = p
	}
	for key, w := range want.samples {
		g, ok := got.samples[key]
		switch {
		case !ok:
			add(key, pair{want: &w})
		case !sameValue(w.value, g.value):
			add(key, pair{want: &w, got: &g})
		}
	}
	for key, g := range got.samples {
		if _, ok := want.samples[key]; !ok {
			add(key, pair{got: &g})
		}
	}
	var out []string
	side := func(s *servedSample) string {
		if s == nil {
			return "(no such series)"
		}
		return s.line
	}
	for _, obj := range slices.Sorted(maps.Keys(byObject)) {
		var b strings.Builder
		fmt.Fprintf(&b, "%s:", obj)
		for _, key := range slices.Sorted(maps.Keys(byObject[obj])) {
			p := byObject[obj][key]
			fmt.Fprintf(&b, "\n    crdmon emulation:   %s\n    kube-state-metrics: %s", side(p.want), side(p.got))
		}
		out = append(out, b.String())
	}
	for _, h := range slices.Sorted(maps.Keys(want.headers)) {
		if !got.headers[h] {
			out = append(out, "header only in crdmon's emulation: "+h)
		}
	}
	for _, h := range slices.Sorted(maps.Keys(got.headers)) {
		if !want.headers[h] {
			out = append(out, "header only in kube-state-metrics: "+h)
		}
	}
	return out
}

func sameValue(a, b float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b)
}

// The comparison parses what both sides serve and shows a differing series
// from both sides.
func TestDiffExpositions(t *testing.T) {
	names := map[string]bool{"m_info": true}
	const header = "# HELP m_info Help.\n# TYPE m_info gauge\n"
	a := header + `m_info{customresource_group="g",customresource_kind="K",name="a",note="say \"hi\"\\n"} 1` + "\n" +
		`m_info{customresource_group="g",customresource_kind="K",name="b"} 1` + "\nother 3\n"
	// The same, other label and series order, another value for b, a foreign family.
	b := header + `m_info{name="b",customresource_kind="K",customresource_group="g"} 0` + "\n" +
		`m_info{note="say \"hi\"\\n",name="a",customresource_kind="K",customresource_group="g"} 1` + "\n"
	want, err := parseExposition(a, names)
	if err != nil {
		t.Fatal(err)
	}
	if s := want.samples[seriesKey("m_info", map[string]string{"customresource_group": "g", "customresource_kind": "K", "name": "a", "note": `say "hi"\n`})]; s.value != 1 {
		t.Fatalf("escaped label value not parsed: %+v", want.samples)
	}
	got, err := parseExposition(b, names)
	if err != nil {
		t.Fatal(err)
	}
	diff := diffExpositions(want, got)
	if len(diff) != 1 || !strings.Contains(diff[0], "g/K /b:") || !strings.Contains(diff[0], "} 1\n    kube-state-metrics: m_info{name=\"b\"") {
		t.Errorf("diff = %q", diff)
	}
	if d := diffExpositions(want, want); len(d) != 0 {
		t.Errorf("diff with itself = %q", d)
	}
}
