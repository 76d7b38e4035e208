package simulate

import (
	"context"
	"sort"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// memStorage is a read-only in-memory storage: every series holds one
// constant value at each of the same timestamps. It is all the PromQL engine
// needs to evaluate rules over a snapshot, without a TSDB on disk.
type memStorage struct {
	series []*storage.SeriesEntry            // sorted by labels
	byName map[string][]*storage.SeriesEntry // the same, per metric name
}

// newMemStorage holds each labelled value at every timestamp of ts (milliseconds).
func newMemStorage(values map[string]labelledValue, ts []int64) *memStorage {
	m := &memStorage{}
	for _, v := range values {
		samples := make(chunks.SampleSlice, len(ts))
		for i, t := range ts {
			samples[i] = fSample{t: t, f: v.value}
		}
		m.series = append(m.series, storage.NewListSeries(v.labels, samples))
	}
	sort.Slice(m.series, func(i, j int) bool { return labels.Compare(m.series[i].Labels(), m.series[j].Labels()) < 0 })
	m.byName = map[string][]*storage.SeriesEntry{}
	for _, s := range m.series {
		name := s.Labels().Get(labels.MetricName)
		m.byName[name] = append(m.byName[name], s)
	}
	return m
}

// labelledValue is one series of the snapshot.
type labelledValue struct {
	labels labels.Labels
	value  float64
}

func (m *memStorage) Querier(_, _ int64) (storage.Querier, error) { return m, nil }

func (m *memStorage) Select(_ context.Context, _ bool, _ *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	candidates := m.series
	for _, matcher := range ms {
		if matcher.Name == labels.MetricName && matcher.Type == labels.MatchEqual {
			candidates = m.byName[matcher.Value]
		}
	}
	var out []storage.Series
	for _, s := range candidates {
		if matches(s.Labels(), ms) {
			out = append(out, s)
		}
	}
	return &seriesSet{series: out, i: -1}
}

func (m *memStorage) LabelValues(_ context.Context, name string, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	seen := map[string]bool{}
	var out []string
	for _, s := range m.series {
		if v := s.Labels().Get(name); v != "" && !seen[v] && matches(s.Labels(), ms) {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out, nil, nil
}

func (m *memStorage) LabelNames(_ context.Context, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	seen := map[string]bool{}
	var out []string
	for _, s := range m.series {
		if !matches(s.Labels(), ms) {
			continue
		}
		s.Labels().Range(func(l labels.Label) {
			if !seen[l.Name] {
				seen[l.Name] = true
				out = append(out, l.Name)
			}
		})
	}
	sort.Strings(out)
	return out, nil, nil
}

func (m *memStorage) Close() error { return nil }

func matches(l labels.Labels, ms []*labels.Matcher) bool {
	for _, m := range ms {
		if !m.Matches(l.Get(m.Name)) {
			return false
		}
	}
	return true
}

// seriesSet iterates over a slice of series.
type seriesSet struct {
	series []storage.Series
	i      int
}

func (s *seriesSet) Next() bool                        { s.i++; return s.i < len(s.series) }
func (s *seriesSet) At() storage.Series                { return s.series[s.i] }
func (s *seriesSet) Err() error                        { return nil }
func (s *seriesSet) Warnings() annotations.Annotations { return nil }

// fSample is one float sample.
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
