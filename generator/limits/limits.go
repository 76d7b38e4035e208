// Package limits holds the size limits generated output must meet to be
// deployed as written, packs lists of items into pieces that meet them, and
// checks every generated file against them before anything is written.
package limits

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Size limits, in bytes.
const (
	// Annotations is the most an object's annotations (keys plus values) may
	// hold: 262,144 bytes. `kubectl apply` without --server-side, and GitOps
	// tools that use it (Argo CD by default), copy the whole object into the
	// kubectl.kubernetes.io/last-applied-configuration annotation, so every
	// object crdmon writes must fit in it (see AppliedSize).
	Annotations = 256 << 10
	// ConfigMap is the most data a ConfigMap may hold (1 MiB).
	ConfigMap = 1 << 20
	// KSMConfig is the largest kube-state-metrics custom-resource-state
	// config crdmon writes. Helm charts render it, re-serialized in block
	// style (about a third larger), into a ConfigMap; half of ConfigMap
	// leaves room for that.
	KSMConfig = 512 << 10
)

// LastAppliedAnnotation is the annotation `kubectl apply` stores the applied
// object in.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// Error is generated output over a limit.
type Error struct {
	File   string // generated file, relative to the output directory
	What   string // the object or document, e.g. "PrometheusRule monitoring/crdmon-x"
	Size   int    // bytes measured
	Limit  int    // bytes allowed
	Reason string // what the limit protects
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s is %d bytes, over the limit of %d: %s", e.File, e.What, e.Size, e.Limit, e.Reason)
}

// AppliedSize is the size of obj's annotations once `kubectl apply`
// (client-side) has stored the object in the last-applied-configuration
// annotation: the annotation's key, its value (the object as compact JSON,
// with encoding/json's escaping, plus a newline, as kubectl encodes it) and
// the object's own annotations. obj is anything that marshals to a
// Kubernetes object as JSON (a typed object or a decoded map).
func AppliedSize(obj any) (int, error) {
	js, err := json.Marshal(obj)
	if err != nil {
		return 0, err
	}
	// A typed object (a pointer to one) has its annotations at hand: as
	// decoded from js, unless encoding/json replaced invalid UTF-8.
	if typed, ok := obj.(interface{ GetAnnotations() map[string]string }); ok && validUTF8(typed.GetAnnotations()) {
		return appliedSize(js, typed.GetAnnotations()), nil
	}
	var meta struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(js, &meta); err != nil {
		return 0, err
	}
	return appliedSize(js, meta.Metadata.Annotations), nil
}

// validUTF8 reports whether every key and value of m is valid UTF-8.
func validUTF8(m map[string]string) bool {
	for k, v := range m {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

// appliedSize is AppliedSize for an object encoded to js (compact JSON, as
// encoding/json writes it) with the given annotations.
func appliedSize(js []byte, annotations map[string]string) int {
	size := len(LastAppliedAnnotation) + len(js) + 1
	for k, v := range annotations {
		if k != LastAppliedAnnotation {
			size += len(k) + len(v)
		}
	}
	return size
}

// Pack splits items, kept in order, into consecutive runs such that each
// run's sizes sum to at most budget, filling each run before starting the
// next. It returns the end index (exclusive) of every run. An item larger
// than budget is an error naming it (by its index) for the caller.
func Pack(sizes []int, budget int) ([]int, error) {
	var ends []int
	sum := 0
	for i, s := range sizes {
		if s > budget {
			return nil, &TooLargeError{Index: i, Size: s, Budget: budget}
		}
		if sum+s > budget {
			ends = append(ends, i)
			sum = 0
		}
		sum += s
	}
	if len(sizes) > 0 {
		ends = append(ends, len(sizes))
	}
	return ends, nil
}

// TooLargeError is an item that cannot fit any run of Pack.
type TooLargeError struct {
	Index  int // the item
	Size   int // its size
	Budget int // the budget of a run
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("item %d is %d bytes, over the %d bytes a piece may hold", e.Index, e.Size, e.Budget)
}
