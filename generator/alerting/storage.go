package alerting

import (
	"context"
	"sort"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/crdmon/crdmon/generator/internal/promqlx"
)

// Series is one float series.
type Series struct {
	Labels  labels.Labels // with the metric name
	Samples []Sample      // in time order
}

// Sample is one float sample at T, in milliseconds since the Unix epoch.
type Sample struct {
	T int64
	F float64
}

// Storage is a read-only in-memory storage of float series: all the PromQL
// engine needs to evaluate rules over given samples, without a TSDB.
type Storage struct {
	series []*storage.SeriesEntry            // sorted by labels
	byName map[string][]*storage.SeriesEntry // the same, per metric name
}

// NewStorage holds series, whose label sets must differ.
func NewStorage(series []Series) *Storage {
	s := &Storage{byName: map[string][]*storage.SeriesEntry{}}
	for _, in := range series {
		samples := make(chunks.SampleSlice, len(in.Samples))
		for i, smp := range in.Samples {
			samples[i] = fSample{t: smp.T, f: smp.F}
		}
		s.series = append(s.series, storage.NewListSeries(in.Labels, samples))
	}
	sort.Slice(s.series, func(i, j int) bool { return labels.Compare(s.series[i].Labels(), s.series[j].Labels()) < 0 })
	for _, e := range s.series {
		name := e.Labels().Get(labels.MetricName)
		s.byName[name] = append(s.byName[name], e)
	}
	return s
}

// Querier returns the storage itself: it holds every sample of every time.
func (s *Storage) Querier(_, _ int64) (storage.Querier, error) { return s, nil }

// Select returns the series matching every matcher, sorted by labels.
func (s *Storage) Select(_ context.Context, _ bool, _ *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	candidates := s.series
	for _, m := range ms {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			candidates = s.byName[m.Value]
		}
	}
	var out []storage.Series
	for _, e := range candidates {
		if promqlx.Matches(e.Labels(), ms) {
			out = append(out, e)
		}
	}
	return &seriesSet{series: out, i: -1}
}

// LabelValues returns the sorted values of label name in the series matching ms.
func (s *Storage) LabelValues(_ context.Context, name string, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	seen := map[string]bool{}
	var out []string
	for _, e := range s.series {
		if v := e.Labels().Get(name); v != "" && !seen[v] && promqlx.Matches(e.Labels(), ms) {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out, nil, nil
}

// LabelNames returns the sorted label names of the series matching ms.
func (s *Storage) LabelNames(_ context.Context, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	seen := map[string]bool{}
	var out []string
	for _, e := range s.series {
		if !promqlx.Matches(e.Labels(), ms) {
			continue
		}
		e.Labels().Range(func(l labels.Label) {
			if !seen[l.Name] {
				seen[l.Name] = true
				out = append(out, l.Name)
			}
		})
	}
	sort.Strings(out)
	return out, nil, nil
}

// Close does nothing.
func (s *Storage) Close() error { return nil }

// seriesSet iterates over a slice of series.
type seriesSet struct {
	series []storage.Series
	i      int
}

func (s *seriesSet) Next() bool                        { s.i++; return s.i < len(s.series) }
func (s *seriesSet) At() storage.Series                { return s.series[s.i] }
func (s *seriesSet) Err() error                        { return nil }
func (s *seriesSet) Warnings() annotations.Annotations { return nil }

// fSample is a Sample as the storage reads it.
type fSample struct {
	t int64
	f float64
}

func (s fSample) T() int64                      { return s.t }
func (s fSample) ST() int64                     { return 0 }
func (s fSample) F() float64                    { return s.f }
func (s fSample) H() *histogram.Histogram       { return nil }
func (s fSample) FH() *histogram.FloatHistogram { return nil }
func (s fSample) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (s fSample) Copy() chunks.Sample           { return s }
