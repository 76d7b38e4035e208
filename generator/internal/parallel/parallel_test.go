package parallel

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
)

func TestMapKeepsOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	items := make([]int, 1000)
	for i := range items {
		items[i] = i
	}
	got, err := Map(items, func(i int) (string, error) { return fmt.Sprint(i * 2), nil })
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range got {
		if s != fmt.Sprint(i*2) {
			t.Fatalf("result %d = %s", i, s)
		}
	}
}

func TestMapFirstErrorInItemOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	_, err := Map([]int{0, 1, 2, 3, 4, 5}, func(i int) (int, error) {
		if i == 2 || i == 5 {
			return 0, errors.New(fmt.Sprint("item ", i))
		}
		return i, nil
	})
	if err == nil || err.Error() != "item 2" {
		t.Fatalf("error = %v, want item 2", err)
	}
	if got, err := Map(nil, func(i int) (int, error) { return i, nil }); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v %v", got, err)
	}
}

func TestEachRunsEveryItemAndReportsTheFirstError(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	err := Each([]int{0, 1, 2, 3, 4, 5}, func(i int) error {
		if i == 3 || i == 5 {
			return errors.New(fmt.Sprint("item ", i))
		}
		return nil
	})
	if err == nil || err.Error() != "item 3" {
		t.Fatalf("error = %v, want item 3", err)
	}
	done := make([]bool, 100)
	items := make([]int, len(done))
	for i := range items {
		items[i] = i
	}
	if err := Each(items, func(i int) error { done[i] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	for i, d := range done {
		if !d {
			t.Fatalf("item %d not run", i)
		}
	}
}
