package ksmeval

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

var invalidLabelChar = regexp.MustCompile(`[^a-zA-Z0-9_]`)

// sanitizeLabelName replaces every character outside [a-zA-Z0-9_] with "_",
// as kube-state-metrics does for labelsFromPath keys (not for commonLabels,
// labelFromKey or labelName).
func sanitizeLabelName(s string) string {
	return invalidLabelChar.ReplaceAllString(s, "_")
}

// labelValue renders a decoded value with Go's %v (reference §4).
func labelValue(v any) string {
	return fmt.Sprintf("%v", v)
}

// isStarKey reports whether a labelsFromPath key copies a whole map.
func isStarKey(k string) bool {
	return strings.HasPrefix(k, "*") || strings.HasSuffix(k, "*")
}

// compilePaths compiles a labelsFromPath map; keys are visited in sorted order
// so that the reported error is deterministic.
func compilePaths(paths map[string][]string) (map[string]valuePath, error) {
	out := make(map[string]valuePath, len(paths))
	for _, k := range slices.Sorted(maps.Keys(paths)) {
		p, err := compilePath(paths[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = p
	}
	return out, nil
}

// addPathLabels resolves labelsFromPath against node into out: star keys first
// (sorted), copying every entry of the map they resolve to, then plain keys,
// skipping nil values. Where kube-state-metrics iterates a Go map (so the
// winner of two keys sanitizing to the same name is random) this walks keys
// in sorted order.
func addPathLabels(node any, paths map[string]valuePath, out map[string]string) {
	keys := slices.Sorted(maps.Keys(paths))
	for _, star := range keys {
		if !isStarKey(star) {
			continue
		}
		m, ok := paths[star].get(node).(map[string]any)
		if !ok {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			name := k
			if strings.HasSuffix(star, "*") {
				name = star[:len(star)-1] + k
			}
			out[sanitizeLabelName(name)] = labelValue(m[k])
		}
	}
	for _, k := range keys {
		if isStarKey(k) {
			continue
		}
		v := paths[k].get(node)
		if v == nil {
			continue
		}
		out[sanitizeLabelName(k)] = labelValue(v)
	}
}

// lessLabels is kube-state-metrics' ordering of label sets: compare the
// sorted keys pairwise (key, then value), shorter set first on a tie.
func lessLabels(a, b map[string]string) bool {
	ak, bk := slices.Sorted(maps.Keys(a)), slices.Sorted(maps.Keys(b))
	for i := 0; i < len(ak) && i < len(bk); i++ {
		if ak[i] != bk[i] {
			return ak[i] < bk[i]
		}
		if a[ak[i]] != b[bk[i]] {
			return a[ak[i]] < b[bk[i]]
		}
	}
	return len(ak) < len(bk)
}
