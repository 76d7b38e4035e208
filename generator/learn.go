package generator

import (
	"cmp"
	"slices"

	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/infer"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
)

// detectKind detects c's signals, from its schema or, with opts.Learn and
// a status the schema leaves untyped, from the schema learned from
// opts.Objects (then also returned).
func detectKind(c load.CRD, opts Options) (model.Kind, []infer.Result) {
	if !opts.Learn || !infer.Untyped(c) {
		return detect.Kind(c), nil
	}
	r := infer.Learn(c, opts.Objects)
	return r.Model, []infer.Result{r}
}

// withLearned sets res.Learned, sorted, on a successful run's result.
func withLearned(res *Result, err error) func([]infer.Result) (*Result, error) {
	return func(learned []infer.Result) (*Result, error) {
		if err != nil {
			return nil, err
		}
		slices.SortFunc(learned, func(a, b infer.Result) int {
			return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Kind, b.Kind))
		})
		res.Learned = learned
		return res, nil
	}
}
