// Package parallel runs independent work on every core while keeping
// results, and the error reported, in input order, so output stays
// deterministic.
package parallel

import (
	"runtime"
	"sync"
)

// Map calls fn on every item with up to GOMAXPROCS goroutines and returns the
// results in item order. When calls fail, the error of the first failing item
// (in item order) is returned.
func Map[T, R any](items []T, fn func(T) (R, error)) ([]R, error) {
	results := make([]R, len(items))
	errs := make([]error, len(items))
	workers := min(runtime.GOMAXPROCS(0), len(items))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = fn(items[i])
			}
		}()
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// Each calls fn on every item as Map does, for work whose results are its
// effects: the error of the first failing item (in item order) is returned.
func Each[T any](items []T, fn func(T) error) error {
	_, err := Map(items, func(item T) (struct{}, error) { return struct{}{}, fn(item) })
	return err
}
