package docpage

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

func TestSplice(t *testing.T) {
	page := "# T\n\nhand\n<!-- generated:x -->\nold\nlines\n<!-- end generated:x -->\nmore hand\n"
	got, err := Splice([]byte(page), "x", "new")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# T\n\nhand\n<!-- generated:x -->\nnew\n<!-- end generated:x -->\nmore hand\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, bad := range []string{
		"no markers\n",
		"<!-- generated:x -->\nno end\n",
		"<!-- generated:x -->\n<!-- end generated:x -->\n<!-- generated:x -->\n<!-- end generated:x -->\n",
		"<!-- end generated:x -->\n<!-- generated:x -->\n",
	} {
		if _, err := Splice([]byte(bad), "x", "new"); err == nil {
			t.Errorf("Splice(%q): no error", bad)
		}
	}
}

// root is the repository, seen from this package.
const root = "../.."

// TestDocLinks checks that README.md links every docs/ page, and that every
// relative link of README.md and docs/*.md leads to a file, and to a
// heading when it names one in a Markdown page.
func TestDocLinks(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs/*.md pages (%v)", err)
	}
	fromReadme := map[string]bool{}
	for _, page := range append([]string{"README.md"}, relAll(pages)...) {
		text := read(t, page)
		for _, l := range links(text) {
			file, anchor, _ := strings.Cut(l.target, "#")
			target := page // a link to an anchor of its own page
			if file != "" {
				target = path.Clean(path.Join(path.Dir(page), file))
			}
			if page == "README.md" {
				fromReadme[target] = true
			}
			if _, err := os.Stat(filepath.Join(root, target)); err != nil {
				t.Errorf("%s:%d: link %q: %s does not exist", page, l.line, l.target, target)
				continue
			}
			if anchor != "" && strings.HasSuffix(target, ".md") && !slices.Contains(headingIDs(read(t, target)), anchor) {
				t.Errorf("%s:%d: link %q: %s has no heading #%s", page, l.line, l.target, target, anchor)
			}
		}
	}
	for _, p := range relAll(pages) {
		if !fromReadme[p] {
			t.Errorf("README.md does not link %s", p)
		}
	}
}

func relAll(paths []string) []string {
	var out []string
	for _, p := range paths {
		r, _ := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func read(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type link struct {
	line   int
	target string
}

var (
	linkRE = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	codeRE = regexp.MustCompile("`[^`]*`")
)

// links returns a page's relative link targets outside code, with their lines.
func links(text string) []link {
	var out []link
	fenced := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(codeRE.ReplaceAllString(line, ""), -1) {
			if target := m[1]; !strings.Contains(target, "://") && !strings.HasPrefix(target, "mailto:") {
				out = append(out, link{i + 1, target})
			}
		}
	}
	return out
}

// headingIDs returns the anchors GitHub gives a page's headings.
func headingIDs(text string) []string {
	var ids []string
	seen := map[string]int{}
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		id := slug(strings.TrimLeft(line, "#"))
		if n := seen[id]; n > 0 {
			ids = append(ids, id+"-"+strconv.Itoa(n))
		} else {
			ids = append(ids, id)
		}
		seen[id]++
	}
	return ids
}

// slug is GitHub's heading anchor: lower case, punctuation dropped, spaces
// as hyphens.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
