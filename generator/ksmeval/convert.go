package ksmeval

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// toFloat64 converts a decoded JSON value to a sample value the way
// kube-state-metrics' toFloat64 does (reference §6 "Value conversion"):
// numbers as is, bools as 1/0, and strings tried in this order: true/yes →
// 1 and false/no/unknown → 0 (case-insensitive), RFC3339 → Unix seconds,
// Kubernetes quantity, "<digits>%" → fraction, strconv.ParseFloat. The error
// texts are kube-state-metrics' own.
func toFloat64(value any, nilIsZero bool) (float64, error) {
	if value == nil {
		if nilIsZero {
			return 0, nil
		}
		return 0, errors.New("expected number but found nil value")
	}
	switch v := value.(type) {
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	case string:
		return stringToFloat64(v)
	case uint8:
		return float64(v), nil
	case int:
		return float64(v), nil
	case int32:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case uint:
		return float64(v), nil
	case uint32:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	case float32:
		return float64(v), nil
	case float64:
		return v, nil
	}
	return 0, fmt.Errorf("expected number but was %v", value)
}

func stringToFloat64(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "true", "yes":
		return 1, nil
	case "false", "no", "unknown":
		return 0, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return float64(t.Unix()), nil
	}
	if q, err := resource.ParseQuantity(s); err == nil {
		return q.AsApproximateFloat64(), nil
	}
	if len(validation.IsValidPercent(s)) == 0 {
		f, err := strconv.ParseFloat(strings.TrimRight(s, "%"), 64)
		return f / 100, err
	}
	return strconv.ParseFloat(s, 64)
}
