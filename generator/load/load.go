// Package load reads CustomResourceDefinitions from files, directories, globs
// and stdin. It accepts YAML and JSON, multi-document streams and List
// objects, keeps only apiextensions.k8s.io/v1 CRDs, and counts every other
// document it skips.
package load

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/internal/parallel"
	"github.com/crdmon/crdmon/generator/model"
)

// CRD is one decoded CustomResourceDefinition and where it was found.
type CRD struct {
	apiextensionsv1.CustomResourceDefinition
	Source model.Source

	// specDigest digests the spec as read (canonical JSON: sorted keys), so
	// that copies of a CRD can be told apart once their schemas are gone;
	// zero when the CRD did not come from a document (FromCluster).
	specDigest [sha256.Size]byte
}

// WithoutSchema returns a copy of c without OpenAPI schemas, keeping names,
// versions, subresources, printer columns and source. c is not modified.
func (c CRD) WithoutSchema() CRD {
	c.Spec.Versions = append([]apiextensionsv1.CustomResourceDefinitionVersion(nil), c.Spec.Versions...)
	for j := range c.Spec.Versions {
		c.Spec.Versions[j].Schema = nil
	}
	return c
}

// Result is everything read from the inputs.
type Result struct {
	CRDs      []CRD          // sorted by name
	Documents int            // documents read, CRDs and others
	Skipped   map[string]int // documents that are not CRDs, by "apiVersion/kind"

	keep func(CRD) CRD // Options.Keep
}

// Options tune how Paths reads.
type Options struct {
	// Keep, when set, is called with every CRD as soon as it is decoded and
	// checked, from several goroutines at once, and what it returns is kept
	// instead. Generation detects the kind there and drops the schema, so
	// the schemas of all inputs are never held at once.
	Keep func(CRD) CRD
}

// Error is a problem with the input, located by file and line.
type Error struct {
	Source model.Source
	Msg    string
}

func (e *Error) Error() string {
	if e.Source.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Source.File, e.Source.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Source.File, e.Msg)
}

// Stdin is the path that means "read standard input".
const Stdin = "-"

// Paths reads every input. A path is a file, a directory (read recursively
// for *.yaml, *.yml and *.json), a glob, or "-" for stdin.
func Paths(paths []string, stdin io.Reader) (*Result, error) {
	return PathsWith(paths, stdin, Options{})
}

// input is one file (or stdin) to read.
type input struct {
	file     string
	explicit bool   // named on the command line: an empty file is a mistake
	data     []byte // stdin's, read up front
}

// PathsWith is Paths with options. Files are decoded in parallel, on every
// core; the result, and the error reported (the first in input order), are
// those of reading them one after the other.
func PathsWith(paths []string, stdin io.Reader, o Options) (*Result, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no input: give CRD files, directories or globs with -f (or -f - for stdin)")
	}
	var inputs []input
	for _, p := range paths {
		if p == Stdin {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return nil, &Error{Source: model.Source{File: Stdin}, Msg: err.Error()}
			}
			inputs = append(inputs, input{file: Stdin, explicit: true, data: data})
			continue
		}
		files, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			inputs = append(inputs, input{file: f, explicit: f == p})
		}
	}
	parts, err := parallel.Map(inputs, func(in input) (*Result, error) {
		part := &Result{Skipped: map[string]int{}, keep: o.Keep}
		if in.data == nil {
			data, err := os.ReadFile(in.file)
			if err != nil {
				return nil, &Error{Source: model.Source{File: in.file}, Msg: "cannot read: " + unwrapPathError(err)}
			}
			in.data = data
		}
		add := part.add
		if in.explicit {
			add = part.addInput
		}
		return part, add(in.file, in.data)
	})
	if err != nil {
		return nil, err
	}
	r := &Result{Skipped: map[string]int{}}
	for _, part := range parts {
		r.CRDs = append(r.CRDs, part.CRDs...)
		r.Documents += part.Documents
		for k, n := range part.Skipped {
			r.Skipped[k] += n
		}
	}
	if r.Documents == 0 {
		return nil, fmt.Errorf("no documents found in %s", strings.Join(paths, ", "))
	}
	return r.finish(strings.Join(paths, ", "))
}

// Bytes reads one in-memory input, named file in messages.
func Bytes(file string, data []byte) (*Result, error) {
	r := &Result{Skipped: map[string]int{}}
	if err := r.addInput(file, data); err != nil {
		return nil, err
	}
	return r.finish(file)
}

// finish dedupes the CRDs and refuses inputs that hold none: writing an
// empty configuration over the previous output is never what was meant.
func (r *Result) finish(inputs string) (*Result, error) {
	if err := r.dedupe(); err != nil {
		return nil, err
	}
	if len(r.CRDs) == 0 {
		var kinds []string
		for k, n := range r.Skipped {
			kinds = append(kinds, fmt.Sprintf("%s ×%d", k, n))
		}
		sort.Strings(kinds)
		return nil, &Error{Source: model.Source{File: inputs}, Msg: fmt.Sprintf("no apiextensions.k8s.io/v1 CustomResourceDefinition found (%d other documents: %s)", r.Documents, strings.Join(kinds, ", "))}
	}
	return r, nil
}

// addInput reads an input the user named, which must hold a document.
func (r *Result) addInput(file string, data []byte) error {
	before := r.Documents
	if err := r.add(file, data); err != nil {
		return err
	}
	if r.Documents == before {
		return &Error{Source: model.Source{File: file}, Msg: "empty input: no YAML or JSON document"}
	}
	return nil
}

func unwrapPathError(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// expand turns one path argument into the files it names, sorted.
func expand(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		if !os.IsNotExist(err) || !strings.ContainsAny(p, "*?[") {
			return nil, &Error{Source: model.Source{File: p}, Msg: unwrapPathError(err)}
		}
		matches, gerr := filepath.Glob(p)
		if gerr != nil {
			return nil, &Error{Source: model.Source{File: p}, Msg: "bad glob: " + gerr.Error()}
		}
		if len(matches) == 0 {
			return nil, &Error{Source: model.Source{File: p}, Msg: "glob matches no file"}
		}
		var out []string
		for _, m := range matches {
			files, err := expand(m)
			if err != nil {
				return nil, err
			}
			out = append(out, files...)
		}
		return out, nil
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var out []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return &Error{Source: model.Source{File: path}, Msg: "cannot read: " + unwrapPathError(err)}
		}
		if !d.IsDir() && isManifest(path) {
			out = append(out, path)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func isManifest(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// add decodes every document of one input.
func (r *Result) add(file string, data []byte) error {
	for _, doc := range splitDocuments(data) {
		src := model.Source{File: file, Line: doc.line}
		if err := r.addDocument(src, doc.text); err != nil {
			return err
		}
	}
	return nil
}

type document struct {
	line int // 1-based line of the document's first line
	text []byte
}

// splitDocuments splits a YAML stream on "---" lines, keeping each document's
// starting line. Documents holding only comments or blanks are dropped. The
// documents' text shares data's memory.
func splitDocuments(data []byte) []document {
	var docs []document
	start, line := 1, 1
	docStart := 0 // offset of the current document's first line
	flush := func(end int) {
		if cur := data[docStart:end]; !blank(cur) {
			text, skipped := trimLeadingComments(cur)
			docs = append(docs, document{line: start + skipped, text: text})
		}
	}
	for off := 0; off < len(data); {
		i := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if i >= 0 {
			next = off + i + 1
		}
		if isSeparator(data[off:next]) {
			flush(off)
			start, docStart = line+1, next
		}
		off = next
		line++
	}
	flush(len(data))
	return docs
}

func isSeparator(l []byte) bool {
	t := bytes.TrimRight(l, " \t\r\n")
	return bytes.Equal(t, []byte("---")) || bytes.HasPrefix(t, []byte("--- ")) || bytes.HasPrefix(t, []byte("---\t"))
}

// blank reports whether a document has nothing but whitespace and comments.
func blank(doc []byte) bool {
	for _, l := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}

// trimLeadingComments drops the blank and comment lines before a document's
// content, so its line is that of its first key, and reports how many.
func trimLeadingComments(doc []byte) ([]byte, int) {
	n := 0
	for len(doc) > 0 {
		i := bytes.IndexByte(doc, '\n')
		if i < 0 {
			break
		}
		t := bytes.TrimSpace(doc[:i])
		if len(t) > 0 && t[0] != '#' {
			break
		}
		doc, n = doc[i+1:], n+1
	}
	return doc, n
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlError rewrites a YAML error's document-relative line to a file line.
func yamlError(src model.Source, err error) error {
	msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
	line := src.Line
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		line = src.Line + n - 1
		msg = strings.Replace(msg, m[0], "", 1)
		msg = strings.Replace(strings.TrimPrefix(msg, "yaml: "), ": ", "", 1)
		msg = strings.TrimSpace(msg)
	}
	return &Error{Source: model.Source{File: src.File, Line: line}, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

type typeMeta struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
}

func (r *Result) addDocument(src model.Source, text []byte) error {
	js, err := yaml.YAMLToJSON(text)
	if err != nil {
		return yamlError(src, err)
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return nil
	}
	return r.addJSON(src, js)
}

// object decodes a document in one pass: a v1 CRD fills the embedded CRD
// (its spec from Spec, kept as read for its digest), a List its items.
// Anything else, and any decoding error, takes the slower path of
// addJSONByType, which classifies the document first.
type object struct {
	apiextensionsv1.CustomResourceDefinition
	Spec  json.RawMessage   `json:"spec"`
	Items []json.RawMessage `json:"items"`
}

// onePass enables object decoding; tests turn it off to compare with the
// classify-then-decode path.
var onePass = true

func (r *Result) addJSON(src model.Source, js []byte) error {
	var obj object
	if onePass && json.Unmarshal(js, &obj) == nil {
		if strings.HasSuffix(obj.Kind, "List") && obj.Items != nil {
			for _, item := range obj.Items {
				if err := r.addJSON(src, item); err != nil {
					return err
				}
			}
			return nil
		}
		if obj.Kind == "CustomResourceDefinition" && obj.APIVersion == "apiextensions.k8s.io/v1" &&
			(obj.Spec == nil || json.Unmarshal(obj.Spec, &obj.CustomResourceDefinition.Spec) == nil) {
			r.Documents++
			return r.addDecodedCRD(src, obj.CustomResourceDefinition, obj.Spec)
		}
	}
	return r.addJSONByType(src, js)
}

func (r *Result) addJSONByType(src model.Source, js []byte) error {
	var tm typeMeta
	if err := json.Unmarshal(js, &tm); err != nil {
		return &Error{Source: src, Msg: "not a Kubernetes object: " + err.Error()}
	}
	if strings.HasSuffix(tm.Kind, "List") && tm.Items != nil {
		for _, item := range tm.Items {
			if err := r.addJSON(src, item); err != nil {
				return err
			}
		}
		return nil
	}
	r.Documents++
	switch {
	case tm.Kind == "CustomResourceDefinition" && tm.APIVersion == "apiextensions.k8s.io/v1":
		return r.addCRD(src, js)
	case tm.Kind == "CustomResourceDefinition" && strings.HasPrefix(tm.APIVersion, "apiextensions.k8s.io/"):
		return &Error{Source: src, Msg: fmt.Sprintf("%s CustomResourceDefinition is not supported: convert it to apiextensions.k8s.io/v1 (removed from Kubernetes in 1.22)", tm.APIVersion)}
	case tm.Kind == "" && tm.APIVersion == "":
		return &Error{Source: src, Msg: "document has no apiVersion or kind"}
	}
	r.Skipped[tm.APIVersion+"/"+tm.Kind]++
	return nil
}

func (r *Result) addCRD(src model.Source, js []byte) error {
	var crd apiextensionsv1.CustomResourceDefinition
	if err := json.Unmarshal(js, &crd); err != nil {
		return &Error{Source: src, Msg: "invalid CustomResourceDefinition: " + err.Error()}
	}
	var raw struct {
		Spec json.RawMessage `json:"spec"`
	}
	_ = json.Unmarshal(js, &raw) // js decoded above
	return r.addDecodedCRD(src, crd, raw.Spec)
}

// addDecodedCRD checks and keeps a CRD whose spec reads rawSpec.
func (r *Result) addDecodedCRD(src model.Source, crd apiextensionsv1.CustomResourceDefinition, rawSpec []byte) error {
	if err := check(&crd); err != nil {
		return &Error{Source: src, Msg: fmt.Sprintf("CustomResourceDefinition %q: %s", crd.Name, err)}
	}
	c := CRD{CustomResourceDefinition: crd, Source: src, specDigest: sha256.Sum256(rawSpec)}
	if r.keep != nil {
		c = r.keep(c)
	}
	r.CRDs = append(r.CRDs, c)
	return nil
}

// check rejects CRDs crdmon cannot work from, and names the API server
// would refuse: they end up in generated YAML, label values and RBAC, so
// only the characters Kubernetes allows may reach the renderers.
func check(crd *apiextensionsv1.CustomResourceDefinition) error {
	switch {
	case crd.Spec.Group == "":
		return fmt.Errorf("spec.group is empty")
	case crd.Spec.Names.Kind == "":
		return fmt.Errorf("spec.names.kind is empty")
	case crd.Spec.Names.Plural == "":
		return fmt.Errorf("spec.names.plural is empty")
	case len(crd.Spec.Versions) == 0:
		return fmt.Errorf("spec.versions is empty")
	}
	if errs := validation.IsDNS1123Subdomain(crd.Spec.Group); len(errs) > 0 {
		return fmt.Errorf("spec.group %q is not a DNS subdomain: %s", crd.Spec.Group, errs[0])
	}
	if !strings.Contains(crd.Spec.Group, ".") {
		return fmt.Errorf("spec.group %q should be a domain with at least one dot", crd.Spec.Group)
	}
	if errs := validation.IsDNS1035Label(crd.Spec.Names.Plural); len(errs) > 0 {
		return fmt.Errorf("spec.names.plural %q is invalid: %s", crd.Spec.Names.Plural, errs[0])
	}
	if errs := validation.IsDNS1035Label(strings.ToLower(crd.Spec.Names.Kind)); len(errs) > 0 {
		return fmt.Errorf("spec.names.kind %q is invalid: may have mixed case, but should otherwise match: %s", crd.Spec.Names.Kind, errs[0])
	}
	if want := crd.Spec.Names.Plural + "." + crd.Spec.Group; crd.Name != want {
		return fmt.Errorf("metadata.name must be spec.names.plural+\".\"+spec.group (%q)", want)
	}
	served := false
	for _, v := range crd.Spec.Versions {
		if errs := validation.IsDNS1035Label(v.Name); len(errs) > 0 {
			return fmt.Errorf("version %q is invalid: %s", v.Name, errs[0])
		}
		served = served || v.Served
	}
	if !served {
		return fmt.Errorf("no version is served")
	}
	return nil
}

// dedupe sorts CRDs by name, merges identical copies and rejects two
// different CRDs with the same name, so the result does not depend on input order.
func (r *Result) dedupe() error {
	sort.SliceStable(r.CRDs, func(i, j int) bool {
		a, b := r.CRDs[i], r.CRDs[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Source.File != b.Source.File {
			return a.Source.File < b.Source.File
		}
		return a.Source.Line < b.Source.Line
	})
	out := r.CRDs[:0]
	for _, c := range r.CRDs {
		if n := len(out); n > 0 && out[n-1].Name == c.Name {
			prev := out[n-1]
			if !sameSpec(prev, c) {
				first, second := prev.Source, c.Source
				return &Error{Source: second, Msg: fmt.Sprintf("CustomResourceDefinition %q is also defined differently at %s:%d", c.Name, first.File, first.Line)}
			}
			continue
		}
		out = append(out, c)
	}
	r.CRDs = out
	// Two CRDs serving one kind (different plurals) would give two
	// kube-state-metrics entries for the same GroupVersionKind.
	byKind := map[string]CRD{}
	for _, c := range r.CRDs {
		key := c.Spec.Names.Kind + "." + c.Spec.Group
		if prev, dup := byKind[key]; dup {
			return &Error{Source: c.Source, Msg: fmt.Sprintf("CustomResourceDefinition %q defines kind %s, already defined by %q at %s:%d", c.Name, key, prev.Name, prev.Source.File, prev.Source.Line)}
		}
		byKind[key] = c
	}
	return nil
}

// sameSpec reports whether two CRDs have the same spec: the same JSON as
// read (the schemas may be gone), or when one was not read from a document,
// the same once encoded.
func sameSpec(a, b CRD) bool {
	if zero := [sha256.Size]byte{}; a.specDigest != zero && b.specDigest != zero {
		return a.specDigest == b.specDigest
	}
	x, _ := json.Marshal(a.Spec)
	y, _ := json.Marshal(b.Spec)
	return bytes.Equal(x, y)
}

// FromCluster wraps CRDs read from a live cluster; source names the cluster
// in messages. CRDs crdmon cannot work from are errors, as from files.
func FromCluster(crds []apiextensionsv1.CustomResourceDefinition, source string) (*Result, error) {
	r := &Result{Skipped: map[string]int{}, Documents: len(crds)}
	for _, crd := range crds {
		src := model.Source{File: source + "/" + crd.Name}
		if err := check(&crd); err != nil {
			return nil, &Error{Source: src, Msg: err.Error()}
		}
		r.CRDs = append(r.CRDs, CRD{CustomResourceDefinition: crd, Source: src})
	}
	if len(r.CRDs) == 0 {
		return nil, &Error{Source: model.Source{File: source}, Msg: "no CustomResourceDefinitions found"}
	}
	return r, r.dedupe()
}

// WithoutSchemas returns a copy of r whose CRDs carry no OpenAPI schemas,
// keeping names, versions, subresources, printer columns and sources. The
// schemas are most of a loaded CRD's memory and only detection reads them:
// keeping this copy instead of r once detection is done lets them be freed
// before rendering. r is not modified.
func (r *Result) WithoutSchemas() *Result {
	out := &Result{Documents: r.Documents, Skipped: r.Skipped, CRDs: make([]CRD, len(r.CRDs))}
	for i, c := range r.CRDs {
		out.CRDs[i] = c.WithoutSchema()
	}
	return out
}
