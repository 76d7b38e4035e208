package ksmeval

import (
	"bytes"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

var (
	helpEscaper       = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelValueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// Exposition renders the result in the Prometheus text format exactly as
// kube-state-metrics serves it (reference §9): HELP/TYPE once per metric name
// (the first resource in GVR order carrying the name keeps it, even when it
// has no objects and so prints nothing), info and stateset typed gauge, a
// header for every family of a resource that has objects, label keys sorted.
func (r Result) Exposition() []byte {
	var b bytes.Buffer
	seen := map[string]bool{}
	for _, f := range r.Families {
		first := !seen[f.Name]
		seen[f.Name] = true
		if f.Objects == 0 {
			continue
		}
		if first {
			b.WriteString("# HELP " + f.Name + " " + helpEscaper.Replace(f.Help) + "\n")
			b.WriteString("# TYPE " + f.Name + " " + textType(f.Type) + "\n")
		}
		for _, s := range f.Samples {
			writeSample(&b, s)
		}
	}
	return b.Bytes()
}

// textType is the TYPE kube-state-metrics prints in the text format.
func textType(t string) string {
	if t == typeInfo || t == typeStateSet {
		return typeGauge
	}
	return t
}

func writeSample(b *bytes.Buffer, s Sample) {
	writeSeries(b, s.Name, s.Labels)
	b.WriteByte(' ')
	b.WriteString(FormatValue(s.Value))
	b.WriteByte('\n')
}

// FormatValue formats a sample value as kube-state-metrics does: 1, 0 and -1
// as integers, NaN and ±Inf spelled out, everything else %g.
func FormatValue(f float64) string {
	switch {
	case f == 1:
		return "1"
	case f == 0:
		return "0"
	case f == -1:
		return "-1"
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// writeSeries writes name{k="v",...} with keys sorted and values escaped.
func writeSeries(b io.StringWriter, name string, labels map[string]string) {
	b.WriteString(name)
	for i, k := range slices.Sorted(maps.Keys(labels)) {
		sep := ","
		if i == 0 {
			sep = "{"
		}
		b.WriteString(sep + k + `="` + labelValueEscaper.Replace(labels[k]) + `"`)
	}
	if len(labels) > 0 {
		b.WriteString("}")
	}
}
