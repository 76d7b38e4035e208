package rules

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
)

// MaxNameLen is the longest alert name crdmon generates.
const MaxNameLen = 40

// camel joins the alphanumeric runs of s, each with its first letter upper-cased:
// "cert-manager" → "CertManager", "ACK.Terminal" → "ACKTerminal".
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// groupSubject names an API group for alert names: its DNS labels in CamelCase,
// without a short top-level domain ("cert-manager.io" → "CertManager").
func groupSubject(group string) string {
	labels := strings.Split(group, ".")
	if len(labels) > 1 && len(labels[len(labels)-1]) <= 3 {
		labels = labels[:len(labels)-1]
	}
	return camel(strings.Join(labels, "."))
}

// words splits a CamelCase name into words: "ACKTerminalNotReady" → ACK Terminal Not Ready.
func words(s string) []string {
	var out []string
	start := 0
	r := []rune(s)
	for i := 1; i < len(r); i++ {
		lowerBefore := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
		acronymEnd := unicode.IsUpper(r[i-1]) && i+1 < len(r) && unicode.IsLower(r[i+1])
		if unicode.IsUpper(r[i]) && (lowerBefore || acronymEnd) {
			out = append(out, string(r[start:i]))
			start = i
		}
	}
	return append(out, string(r[start:]))
}

// abbreviate shortens subject+suffix to at most max characters, deterministically:
// it trims the longest word of the subject one letter at a time (down to 3
// letters), then the suffix's, then cuts the end.
func abbreviate(subject, suffix string, max int) string {
	parts := [][]string{words(subject), words(suffix)}
	total := len(subject) + len(suffix)
	for _, ws := range parts {
		for total > max {
			longest := -1
			for i, w := range ws {
				if len(w) > 3 && (longest < 0 || len(w) > len(ws[longest])) {
					longest = i
				}
			}
			if longest < 0 {
				break
			}
			ws[longest] = ws[longest][:len(ws[longest])-1]
			total--
		}
	}
	name := strings.Join(parts[0], "") + strings.Join(parts[1], "")
	if len(name) > max {
		name = name[:max]
	}
	return name
}

// namer hands out alert names, unique within one rendering.
type namer struct {
	taken   map[string]string // name → key of its owner
	claimed []string          // names in the order first claimed, for rollback
}

// mark returns a point rollback can return to.
func (n *namer) mark() int { return len(n.claimed) }

// rollback releases the names claimed since mark.
func (n *namer) rollback(mark int) {
	for _, name := range n.claimed[mark:] {
		delete(n.taken, name)
	}
	n.claimed = n.claimed[:mark]
}

func newNamer() *namer { return &namer{taken: map[string]string{}} }

// name returns a unique name of at most MaxNameLen characters for the alert
// identified by key, trying each subject in turn, then the first subject with
// a short hash of key.
func (n *namer) name(key, suffix string, subjects ...string) string {
	for _, s := range subjects {
		if c := abbreviate(s, suffix, MaxNameLen); n.claim(c, key) {
			return c
		}
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	tag := fmt.Sprintf("%04X", h.Sum32()&0xffff)
	for i := 0; ; i++ {
		t := tag
		if i > 0 {
			t = fmt.Sprintf("%s%d", tag, i)
		}
		if c := abbreviate(subjects[0], suffix, MaxNameLen-len(t)) + t; n.claim(c, key) {
			return c
		}
	}
}

func (n *namer) claim(name, key string) bool {
	if owner, ok := n.taken[name]; ok {
		return owner == key
	}
	n.taken[name] = key
	n.claimed = append(n.claimed, name)
	return true
}
