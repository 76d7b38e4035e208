package output

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Status says what writing did to one file.
type Status string

// File statuses reported by Write and Compare.
const (
	Unchanged Status = "unchanged"
	Created   Status = "created"
	Updated   Status = "updated"
	Stale     Status = "stale"   // on disk with crdmon's marker, no longer generated
	Removed   Status = "removed" // stale and pruned
)

// Change is the status of one path after Write or Compare.
type Change struct {
	Path   string
	Status Status
	Old    []byte // content on disk before, nil when absent (kept by a Comparer for changed and stale files only)
	New    []byte // generated content, nil for stale files (kept by a Comparer for changed files only)
}

// SafePath checks that a generated path stays inside the output directory.
func SafePath(p string) error {
	clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(p)))
	if p == "" || clean == "." || filepath.IsAbs(p) || clean != p || strings.HasPrefix(clean, "../") || clean == ".." || strings.Contains(p, "\\") {
		return fmt.Errorf("generated path %q would escape the output directory", p)
	}
	return nil
}

// stagingPrefix names the staging directories a Writer makes inside the
// output directory; they are never output, nor stale.
const stagingPrefix = ".crdmon-staging-"

// Comparer compares files one at a time with what is in a directory, as
// they are generated (--check), keeping the content of changed files only.
// Put is safe for concurrent use.
type Comparer struct {
	dir     string
	keep    bool // keep the content of changed files (for diffs)
	mu      sync.Mutex
	want    map[string]bool
	changes []Change
}

// NewComparer compares files with what is in dir, which need not exist.
func NewComparer(dir string) *Comparer {
	return &Comparer{dir: dir, keep: true, want: map[string]bool{}}
}

// Put compares one generated file with its copy on disk.
func (c *Comparer) Put(f File) error {
	_, err := c.put(f)
	return err
}

// put records f's change, its content dropped when unchanged.
func (c *Comparer) put(f File) (Change, error) {
	if err := SafePath(f.Path); err != nil {
		return Change{}, err
	}
	old, err := os.ReadFile(filepath.Join(c.dir, filepath.FromSlash(f.Path)))
	ch := Change{Path: f.Path, Status: Updated, Old: old, New: f.Content}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		ch.Status = Created
	case err != nil:
		return Change{}, err
	case bytes.Equal(old, f.Content):
		ch = Change{Path: f.Path, Status: Unchanged}
	}
	result := ch
	if !c.keep {
		ch.Old, ch.New = nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.want[f.Path] {
		return Change{}, fmt.Errorf("%s generated twice", f.Path)
	}
	c.want[f.Path] = true
	c.changes = append(c.changes, ch)
	return result, nil
}

// Changes returns how the files put differ from what is in the directory,
// including files crdmon wrote before that it did not generate now, sorted
// by path.
func (c *Comparer) Changes() ([]Change, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stale, err := staleFiles(c.dir, c.want)
	if err != nil {
		return nil, err
	}
	changes := append(append([]Change(nil), c.changes...), stale...)
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

// Compare reports how the files differ from what is in dir, including
// files crdmon wrote before that it would not write now. It never writes.
func Compare(dir string, files []File) ([]Change, error) {
	c := NewComparer(dir)
	for _, f := range files {
		if _, err := c.put(f); err != nil {
			return nil, err
		}
	}
	changes, err := c.Changes()
	if err != nil {
		return nil, err
	}
	// Compare keeps every file's content, as it always has.
	byPath := map[string][]byte{}
	for _, f := range files {
		byPath[f.Path] = f.Content
	}
	for i, ch := range changes {
		if ch.Status == Unchanged {
			changes[i].Old, changes[i].New = byPath[ch.Path], byPath[ch.Path]
		}
	}
	return changes, nil
}

// staleFiles finds files under dir that carry crdmon's marker but are not
// wanted, skipping staging directories.
func staleFiles(dir string, want map[string]bool) ([]Change, error) {
	var out []Change
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) && path == dir {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), stagingPrefix) {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if want[rel] {
			return nil
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if HasMarker(content) {
			out = append(out, Change{Path: rel, Status: Stale, Old: content})
		}
		return nil
	})
	return out, err
}

// Writer brings a directory in line with files generated one at a time:
// Put writes each changed file to a staging directory inside the output
// directory as soon as it is generated, so no file stays in memory;
// Commit moves them all into place, Abort removes them. Until Commit the
// output is untouched, so a run that fails leaves the previous output
// intact and no staging directory behind. Put is safe for concurrent use.
type Writer struct {
	cmp *Comparer

	once       sync.Once
	staging    string // made by the first file staged
	stageErr   error
	createdDir string // the output directory, when the Writer created it
}

// NewWriter starts writing to dir, which is created (with the staging
// directory) only once there is a file to write.
func NewWriter(dir string) *Writer {
	return &Writer{cmp: &Comparer{dir: dir, want: map[string]bool{}}}
}

// stage makes the output and staging directories, once.
func (w *Writer) stage() error {
	w.once.Do(func() {
		dir := w.cmp.dir
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			w.createdDir = dir
		}
		if w.stageErr = os.MkdirAll(dir, 0o755); w.stageErr != nil {
			return
		}
		w.staging, w.stageErr = os.MkdirTemp(dir, stagingPrefix+"*")
	})
	return w.stageErr
}

// Put stages f when it differs from its copy on disk.
func (w *Writer) Put(f File) error {
	ch, err := w.cmp.put(f)
	if err != nil || ch.Status == Unchanged {
		return err
	}
	if err := w.stage(); err != nil {
		return err
	}
	p := filepath.Join(w.staging, filepath.FromSlash(f.Path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, f.Content, 0o644); err != nil {
		return fmt.Errorf("writing %s: %v", p, err)
	}
	return os.Chmod(p, 0o644)
}

// Abort removes everything staged, leaving the output as it was.
func (w *Writer) Abort() {
	w.once.Do(func() {}) // nothing is staged after this
	if w.staging != "" {
		os.RemoveAll(w.staging)
	}
	w.removeCreatedDir()
}

// removeCreatedDir removes the output directory NewWriter created, when empty.
func (w *Writer) removeCreatedDir() {
	if w.createdDir != "" {
		os.Remove(w.createdDir)
	}
}

// Commit moves the staged files into place: each first to a temporary file
// in its own directory, then, once all are there, to its name, so a
// failure leaves the previous output intact. With prune, stale files that
// carry crdmon's marker are removed; other files are never touched. The
// staging directory is gone afterwards, whatever happens.
func (w *Writer) Commit(prune bool) ([]Change, error) {
	w.once.Do(func() {}) // nothing is staged after this
	if w.staging != "" {
		defer os.RemoveAll(w.staging)
	}
	changes, err := w.cmp.Changes()
	if err != nil {
		w.removeCreatedDir()
		return nil, err
	}
	dir := w.cmp.dir
	type pending struct{ tmp, dst string }
	var renames []pending
	cleanup := func() {
		for _, p := range renames {
			os.Remove(p.tmp)
		}
		w.removeCreatedDir()
	}
	for _, c := range changes {
		if c.Status != Created && c.Status != Updated {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(c.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			cleanup()
			return nil, err
		}
		if info, err := os.Lstat(dst); err == nil && info.IsDir() {
			cleanup()
			return nil, fmt.Errorf("writing %s: is a directory", dst)
		}
		tmp, err := os.CreateTemp(filepath.Dir(dst), ".crdmon-*.tmp")
		if err != nil {
			cleanup()
			return nil, err
		}
		tmp.Close()
		renames = append(renames, pending{tmp.Name(), dst})
		if err := os.Rename(filepath.Join(w.staging, filepath.FromSlash(c.Path)), tmp.Name()); err != nil {
			cleanup()
			return nil, fmt.Errorf("writing %s: %v", dst, err)
		}
	}
	for i, p := range renames {
		if err := os.Rename(p.tmp, p.dst); err != nil {
			for _, q := range renames[i:] {
				os.Remove(q.tmp)
			}
			return nil, err
		}
	}
	if prune {
		for i, c := range changes {
			if c.Status == Stale {
				if err := os.Remove(filepath.Join(dir, filepath.FromSlash(c.Path))); err != nil {
					return nil, err
				}
				changes[i].Status = Removed
			}
		}
	}
	return changes, nil
}

// Write brings dir in line with files (see Writer).
func Write(dir string, files []File, prune bool) ([]Change, error) {
	w := NewWriter(dir)
	for _, f := range files {
		if err := w.Put(f); err != nil {
			w.Abort()
			return nil, err
		}
	}
	return w.Commit(prune)
}
