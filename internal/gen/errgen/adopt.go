package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// adoptFile moves the texts declared in Go in file into the catalogue of dir and removes
// them from file, with the comments that belong to them. It refuses a file where a
// comment inside what moves belongs to no text (it would be lost).
func adoptFile(dir, file string) error {
	c, err := readCatalog(filepath.Join(dir, catalogFile))
	if errors.Is(err, fs.ErrNotExist) {
		c, err = &catalog{}, nil
	}
	if err != nil {
		return err
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	out, err := adoptSource(c, file, src)
	if err != nil {
		return err
	}
	if out, err = addGenerateLine(dir, out); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	data, err := c.encode()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, catalogFile), data, 0o644); err != nil {
		return err
	}
	return os.WriteFile(file, out, 0o644)
}

// adoptSource adds src's texts to c and returns src without them.
func adoptSource(c *catalog, name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	x := newExtractor(fset, f, c)
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && (g.Tok == token.VAR || g.Tok == token.CONST) {
			if err := x.decl(g); err != nil {
				return nil, err
			}
		}
	}
	if err := x.checkComments(); err != nil {
		return nil, err
	}
	out := deleteLines(src, x.cuts)
	if out, err = dropUnusedImports(name, out); err != nil {
		return nil, err
	}
	return format.Source(out)
}

// lines is an inclusive range of 1-based line numbers.
type lines struct{ from, to int }

// extractor reads the texts of one file.
type extractor struct {
	fset    *token.FileSet
	file    *ast.File
	c       *catalog
	imports map[string]string   // package name → path
	ctors   map[string]ast.Expr // func name → the kind of the messages it makes
	kinds   map[string]bool     // funcs kind(code, status) that make a sender's kind
	cuts    []lines
	kept    map[*ast.CommentGroup]bool // the comments that move with a text
}

func newExtractor(fset *token.FileSet, f *ast.File, c *catalog) *extractor {
	x := &extractor{fset: fset, file: f, c: c, imports: map[string]string{},
		ctors: map[string]ast.Expr{}, kinds: map[string]bool{}, kept: map[*ast.CommentGroup]bool{}}
	for _, s := range f.Imports {
		p, _ := strconv.Unquote(s.Path.Value)
		name := path.Base(p)
		if s.Name != nil {
			name = s.Name.Name
		}
		x.imports[name] = p
		if strings.Contains(p, "/internal/gen/") && c.Model == "" {
			c.Model = path.Base(p)
		}
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok {
			x.readHelper(fn)
		}
	}
	return x
}

// readHelper notes the funcs the catalogue uses to shorten itself: message constructors
// (func invalid(text string) awserr.Message { return awserr.Message{Kind: K, Text: text} })
// and kind constructors (func kind(code string, status int) awserr.Kind { return
// awserr.Kind{Code: code, Status: status, Sender: true} }).
func (x *extractor) readHelper(fn *ast.FuncDecl) {
	if fn.Recv != nil || fn.Body == nil || len(fn.Body.List) != 1 {
		return
	}
	ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return
	}
	lit, ok := ret.Results[0].(*ast.CompositeLit)
	if !ok {
		return
	}
	fields := keyed(lit)
	switch {
	case x.isAwserr(lit.Type, "Message") && len(fields) == 2 && fields["Kind"] != nil && isIdent(fields["Text"]):
		x.ctors[fn.Name.Name] = fields["Kind"]
	case x.isAwserr(lit.Type, "Kind") && len(fields) == 3 && isIdent(fields["Code"]) && isIdent(fields["Status"]) &&
		isIdentNamed(fields["Sender"], "true"):
		x.kinds[fn.Name.Name] = true
	}
}

// decl moves the texts of one var or const declaration.
func (x *extractor) decl(d *ast.GenDecl) error {
	doc := d.Doc
	var cur *group
	moved := 0
	for _, s := range d.Specs {
		spec := s.(*ast.ValueSpec)
		m, t, typ, err := x.spec(d.Tok, spec)
		if err != nil {
			return err
		}
		if m == nil && t == nil {
			cur = nil
			continue
		}
		moved++
		if cur == nil || (m != nil) != (len(cur.Messages) > 0) || typ != cur.Type {
			x.c.Groups = append(x.c.Groups, group{Doc: commentText(doc), Type: typ})
			cur, doc = &x.c.Groups[len(x.c.Groups)-1], nil
		}
		if m != nil {
			cur.Messages = append(cur.Messages, *m)
		} else {
			cur.Texts = append(cur.Texts, *t)
		}
		x.cut(spec.Doc, spec.Pos(), spec.End(), spec.Comment)
	}
	if moved == len(d.Specs) && moved > 0 {
		x.cuts = x.cuts[:len(x.cuts)-moved]
		x.cut(d.Doc, d.Pos(), d.End(), nil)
	}
	return nil
}

// spec reads one declaration: a message, a text (with its type), or neither.
func (x *extractor) spec(tok token.Token, s *ast.ValueSpec) (*message, *text, string, error) {
	if len(s.Names) != 1 || len(s.Values) != 1 {
		return nil, nil, "", nil
	}
	name, v := s.Names[0].Name, s.Values[0]
	doc, note := commentText(s.Doc), strings.TrimSpace(commentText(s.Comment))
	if str, ok := stringValue(v); ok {
		typ := ""
		if id, ok := s.Type.(*ast.Ident); ok {
			typ = id.Name
		} else if s.Type != nil {
			return nil, nil, "", nil
		}
		return nil, &text{Name: name, Text: str, Doc: doc, Note: note}, typ, nil
	}
	kind, str, ok := x.messageParts(v)
	if !ok {
		return nil, nil, "", nil
	}
	m := &message{Name: name, Text: str, Doc: doc, Note: note}
	if err := x.setKind(m, kind); err != nil {
		return nil, nil, "", fmt.Errorf("%s: %s: %w", x.fset.Position(s.Pos()), name, err)
	}
	return m, nil, "", nil
}

// messageParts reads awserr.Message{Kind: K, Text: "..."} or ctor("...").
func (x *extractor) messageParts(v ast.Expr) (ast.Expr, string, bool) {
	switch e := v.(type) {
	case *ast.CompositeLit:
		fields := keyed(e)
		str, ok := stringValue(fields["Text"])
		if !x.isAwserr(e.Type, "Message") || len(fields) != 2 || fields["Kind"] == nil || !ok {
			return nil, "", false
		}
		return fields["Kind"], str, true
	case *ast.CallExpr:
		fn, ok := e.Fun.(*ast.Ident)
		if !ok || x.ctors[fn.Name] == nil || len(e.Args) != 1 {
			return nil, "", false
		}
		str, ok := stringValue(e.Args[0])
		return x.ctors[fn.Name], str, ok
	}
	return nil, "", false
}

// setKind writes a kind expression as the catalogue names it.
func (x *extractor) setKind(m *message, kind ast.Expr) error {
	switch e := kind.(type) {
	case *ast.Ident:
		m.Kind = e.Name
		return nil
	case *ast.SelectorExpr:
		pkg, ok := e.X.(*ast.Ident)
		if !ok {
			break
		}
		if p := x.imports[pkg.Name]; path.Base(p) == x.c.Model && strings.HasPrefix(e.Sel.Name, "Err") {
			m.Kind = strings.TrimPrefix(e.Sel.Name, "Err")
			return nil
		}
		m.Kind = path.Base(x.imports[pkg.Name]) + "." + e.Sel.Name
		if !strings.HasSuffix(x.imports[pkg.Name], awserrPath) && !slices.Contains(x.c.Imports, x.imports[pkg.Name]) {
			x.c.Imports = append(x.c.Imports, x.imports[pkg.Name])
		}
		return nil
	case *ast.CallExpr:
		if fn, ok := e.Fun.(*ast.Ident); ok && x.kinds[fn.Name] && len(e.Args) == 2 {
			return x.setCodeStatus(m, e.Args[0], e.Args[1])
		}
	case *ast.CompositeLit:
		f := keyed(e)
		if x.isAwserr(e.Type, "Kind") && len(f) == 3 && isIdentNamed(f["Sender"], "true") && f["Code"] != nil && f["Status"] != nil {
			return x.setCodeStatus(m, f["Code"], f["Status"])
		}
	}
	return fmt.Errorf("cannot read the kind: write it as a name, kind(code, status) or awserr.Kind{Code, Status, Sender: true}")
}

// statuses are awserr's status names.
var statuses = map[string]int{"StatusBadRequest": 400, "StatusForbidden": 403, "StatusNotFound": 404,
	"StatusRequestTooLarge": 413, "StatusInternalServerError": 500, "StatusServiceUnavailable": 503}

// setCodeStatus reads a kind the catalogue declares by its code and status.
func (x *extractor) setCodeStatus(m *message, codeExpr, statusExpr ast.Expr) error {
	code, ok := stringValue(codeExpr)
	if !ok {
		return errors.New("the code of a kind must be a string")
	}
	m.Code = code
	switch s := statusExpr.(type) {
	case *ast.BasicLit:
		m.Status, _ = strconv.Atoi(s.Value)
	case *ast.SelectorExpr:
		m.Status = statuses[s.Sel.Name]
	}
	if m.Status == 0 {
		return errors.New("the status of a kind must be a number or an awserr status")
	}
	return nil
}

// cut marks the lines of a declaration (and its comments) for deletion.
func (x *extractor) cut(doc *ast.CommentGroup, pos, end token.Pos, comment *ast.CommentGroup) {
	if doc != nil {
		pos = doc.Pos()
		x.kept[doc] = true
	}
	if comment != nil {
		end = comment.End()
		x.kept[comment] = true
	}
	x.cuts = append(x.cuts, lines{x.fset.Position(pos).Line, x.fset.Position(end).Line})
}

// checkComments refuses to drop a comment that belongs to no text.
func (x *extractor) checkComments() error {
	for _, cg := range x.file.Comments {
		line := x.fset.Position(cg.Pos()).Line
		for _, r := range x.cuts {
			if line >= r.from && line <= r.to && !x.kept[cg] && !x.insideKept(cg) {
				return fmt.Errorf("%s: this comment belongs to no text that moves; attach it to one or move it first",
					x.fset.Position(cg.Pos()))
			}
		}
	}
	return nil
}

// insideKept is true for comments inside a moved expression (a Doc of the whole decl
// counts as kept through cut).
func (x *extractor) insideKept(cg *ast.CommentGroup) bool {
	for _, d := range x.file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Doc == cg {
			return true
		}
	}
	return false
}

func (x *extractor) isAwserr(e ast.Expr, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && strings.HasSuffix(x.imports[pkg.Name], awserrPath)
}

func keyed(lit *ast.CompositeLit) map[string]ast.Expr {
	fields := map[string]ast.Expr{}
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			return nil
		}
		if k, ok := kv.Key.(*ast.Ident); ok {
			fields[k.Name] = kv.Value
		}
	}
	return fields
}

func isIdent(e ast.Expr) bool { _, ok := e.(*ast.Ident); return ok }

func isIdentNamed(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// stringValue is the value of a constant string expression: literals joined by +.
func stringValue(e ast.Expr) (string, bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(v.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return stringValue(v.X)
	case *ast.BinaryExpr:
		l, ok1 := stringValue(v.X)
		r, ok2 := stringValue(v.Y)
		if v.Op != token.ADD || !ok1 || !ok2 {
			return "", false
		}
		return constant.StringVal(constant.MakeString(l + r)), true
	}
	return "", false
}

func commentText(cg *ast.CommentGroup) string {
	if cg == nil {
		return ""
	}
	return strings.TrimRight(cg.Text(), "\n")
}

// deleteLines removes whole lines of src.
func deleteLines(src []byte, cuts []lines) []byte {
	all := strings.SplitAfter(string(src), "\n")
	var b strings.Builder
	for i, l := range all {
		if !slices.ContainsFunc(cuts, func(r lines) bool { return i+1 >= r.from && i+1 <= r.to }) {
			b.WriteString(l)
		}
	}
	return []byte(b.String())
}

// dropUnusedImports removes the imports the remaining code no longer names.
func dropUnusedImports(name string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("%s after moving its texts: %w", name, err)
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	var cuts []lines
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		unused := 0
		for _, s := range g.Specs {
			is := s.(*ast.ImportSpec)
			p, _ := strconv.Unquote(is.Path.Value)
			n := path.Base(p)
			if is.Name != nil {
				n = is.Name.Name
			}
			if !used[n] && n != "_" && n != "." {
				unused++
				cuts = append(cuts, lines{fset.Position(is.Pos()).Line, fset.Position(is.End()).Line})
			}
		}
		if unused == len(g.Specs) && unused > 0 {
			cuts = append(cuts[:len(cuts)-unused], lines{fset.Position(g.Pos()).Line, fset.Position(g.End()).Line})
		}
	}
	return deleteLines(src, cuts), nil
}

// addGenerateLine gives the package its go:generate line when none of its files has one.
func addGenerateLine(dir string, src []byte) ([]byte, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil && strings.Contains(string(b), "gen/errgen") && filepath.Base(f) != generatedFile {
			return src, nil
		}
	}
	root, err := moduleRoot(dir)
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(dir)
	rel, err := filepath.Rel(abs, root)
	if err != nil {
		return nil, err
	}
	line := "\n//go:generate go run " + filepath.ToSlash(filepath.Join(rel, "internal/gen/errgen")) + "\n"
	s := string(src)
	i := strings.Index(s, "\npackage ")
	if strings.HasPrefix(s, "package ") {
		i = -1
	}
	end := strings.Index(s[i+1:], "\n") + i + 1
	return []byte(s[:end+1] + line + s[end+1:]), nil
}
