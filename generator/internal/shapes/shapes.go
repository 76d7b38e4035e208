// Package shapes validates generated files once per shape. Thousands of API
// groups of one provider give thousands of files that differ only in the
// names of groups, kinds and alerts; validating each (a strict round trip
// through rulefmt or the Grafana SDK) dominated generation. A shape is a
// file's bytes with every such name replaced by a placeholder. The names
// crdmon's loader lets through are Kubernetes names, [A-Za-z0-9._-] only,
// which never need quoting or escaping in YAML, JSON, PromQL strings or
// regular expressions; so two files of one shape parse the same way up to
// the names, and checks that do not depend on what a name is (everything
// but its length) give the same result for both. Length checks (alert
// names, dashboard UIDs) stay the caller's, for every file.
package shapes

import (
	"crypto/sha256"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// safeName matches the names a shape may abstract.
var safeName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// Key is a shape: a digest of the normalized content.
type Key [sha256.Size]byte

// Of returns the shape of content with names abstracted, and false when a
// name is empty or holds another character than [A-Za-z0-9._-]: such
// content must be validated on its own. Callers list names by role, in the
// same order for every file (group, then kinds...): the i-th name becomes
// placeholder i, so files of one shape get the same placeholders whatever
// their names. Names are replaced longest first (a name holding another is
// replaced whole), each by a placeholder that no name can match, so content
// is exactly its shape with the names put back.
func Of(names []string, content ...[]byte) (Key, bool) {
	type role struct {
		name string
		i    int
	}
	var roles []role
	for i, n := range names {
		if !safeName.MatchString(n) {
			return Key{}, false
		}
		if !slices.Contains(names[:i], n) {
			roles = append(roles, role{n, i})
		}
	}
	// A strings.Replacer tries its pairs in order at each position: longest first.
	slices.SortStableFunc(roles, func(a, b role) int { return len(b.name) - len(a.name) })
	pairs := make([]string, 0, 2*len(roles))
	for _, r := range roles {
		pairs = append(pairs, r.name, placeholder(r.i))
	}
	replacer := strings.NewReplacer(pairs...)
	h := sha256.New()
	for _, c := range content {
		replacer.WriteString(h, string(c))
		h.Write([]byte{0xff}) // content boundary: no placeholder or file holds it
	}
	var k Key
	h.Sum(k[:0])
	return k, true
}

// placeholder i is \x00, i+1 times \x01, \x00: nothing a name can match.
func placeholder(i int) string {
	return "\x00" + strings.Repeat("\x01", i+1) + "\x00"
}

// Cache remembers the shapes that passed validation. It is safe for
// concurrent use.
type Cache struct {
	mu     sync.Mutex
	passed map[Key]bool
}

// Validate runs validate unless content of the same shape (see Of) passed
// it before through c. Failures are not remembered: each failing file
// reports its own errors.
func (c *Cache) Validate(names []string, validate func() error, content ...[]byte) error {
	key, ok := Of(names, content...)
	if ok {
		c.mu.Lock()
		passed := c.passed[key]
		c.mu.Unlock()
		if passed {
			return nil
		}
	}
	if err := validate(); err != nil {
		return err
	}
	if ok {
		c.mu.Lock()
		if c.passed == nil {
			c.passed = map[Key]bool{}
		}
		c.passed[key] = true
		c.mu.Unlock()
	}
	return nil
}
