// Package docpage keeps the generated sections of the repository's Markdown
// pages equal to their source. A section is the text between the lines
// "<!-- generated:NAME -->" and "<!-- end generated:NAME -->"; the page's
// other text is written by hand. Tests render a section from its source and
// call Check, which fails when the committed page is stale and, with update,
// rewrites the section instead.
package docpage

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/crdmon/crdmon/internal/textdiff"
)

// Splice returns page with the body of section name replaced by body.
func Splice(page []byte, name, body string) ([]byte, error) {
	begin, end := []byte("<!-- generated:"+name+" -->\n"), []byte("<!-- end generated:"+name+" -->")
	i := bytes.Index(page, begin)
	if i < 0 || bytes.Count(page, begin) != 1 {
		return nil, fmt.Errorf("want exactly one line %q", bytes.TrimSpace(begin))
	}
	j := bytes.Index(page[i:], end)
	if j < 0 || bytes.Count(page, end) != 1 {
		return nil, fmt.Errorf("want exactly one line %q after %q", end, bytes.TrimSpace(begin))
	}
	j += i
	var b bytes.Buffer
	b.Write(page[:i+len(begin)])
	b.WriteString(body)
	if body != "" && body[len(body)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.Write(page[j:])
	return b.Bytes(), nil
}

// Check compares section name of the page at path with body. With update it
// writes the page with the section replaced instead; regenerate names the
// command that does so, for the failure message.
func Check(t testing.TB, path, name, body string, update bool, regenerate string) {
	t.Helper()
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Splice(page, name, body)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if bytes.Equal(got, page) {
		return
	}
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	d := textdiff.Unified(path, page, "generated", got)
	t.Errorf("%s is stale: its generated section %q differs from its source (run %s and commit the page):\n%s", path, name, regenerate, d)
}
