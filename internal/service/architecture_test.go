package service_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The architecture of the services, enforced. A service package sees typed inputs, the
// kit and the ports; it never speaks HTTP, decodes a wire protocol, checks a signature or
// calls another service. See docs/ARCHITECTURE.md.

const module = "github.com/xregion/xregion"

// forbidden are the packages no service may import: the HTTP, wire and signature layers
// below the gateway. A service on the kit may not depend on them at all, not even through
// another package; a service of notOnKit may not import them itself.
var forbidden = []string{"net/http", module + "/internal/protocol", module + "/internal/sigv4", module + "/internal/gateway"}

// notOnKit are the services not moved onto the kit yet, and what each still imports that
// the rules forbid. The engineers who move them empty this list; an entry that is no
// longer needed fails the test, so the list only shrinks.
var notOnKit = map[string][]string{}

// kitOnly are packages a service on the kit reaches through the kit instead: records
// through views (never raw keys), the request through kit.Call.
var kitOnly = []string{module + "/internal/store", module + "/internal/request"}

type goPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T, patterns ...string) []goPackage {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-json"}, patterns...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// serviceOf names the service a package belongs to ("kms" for .../service/kms and its
// sub-packages), or "" for the registry, the kit and the ports.
func serviceOf(importPath string) string {
	rest, ok := strings.CutPrefix(importPath, module+"/internal/service/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	if name == "kit" || name == "port" {
		return ""
	}
	return name
}

func under(dep, root string) bool { return dep == root || strings.HasPrefix(dep, root+"/") }

// TestServicesKeepTheirLayer: no service depends on HTTP, a codec, SigV4, the gateway or
// another service, except what notOnKit still allows.
func TestServicesKeepTheirLayer(t *testing.T) {
	pkgs := listPackages(t, module+"/internal/service/...")
	seen := map[string]bool{}
	for _, p := range pkgs {
		svc := serviceOf(p.ImportPath)
		if svc == "" {
			continue
		}
		seen[svc] = true
		allowed, waiting := notOnKit[svc]
		for _, dep := range layerDeps(p, waiting) {
			for _, f := range forbidden {
				if under(dep, f) && !slices.Contains(allowed, f) {
					t.Errorf("%s depends on %s", p.ImportPath, dep)
				}
			}
			if other := serviceOf(dep); other != "" && other != svc {
				t.Errorf("%s depends on the service %s: use a port", p.ImportPath, dep)
			}
		}
	}
	for svc, allowed := range notOnKit {
		if !seen[svc] {
			t.Errorf("notOnKit names %s, which is not a service", svc)
		}
		for _, f := range allowed {
			if !imports(pkgs, svc, f) {
				t.Errorf("notOnKit lets %s import %s, which it no longer does: shorten the list", svc, f)
			}
		}
	}
}

// layerDeps are the packages a service's layer rules apply to: everything it depends on
// for a service on the kit, what it imports itself for one that is not yet (iam and sts
// reach net/http through internal/auth, which speaks SigV4 for them).
func layerDeps(p goPackage, waiting bool) []string {
	if waiting {
		return p.Imports
	}
	return p.Deps
}

func imports(pkgs []goPackage, svc, dep string) bool {
	for _, p := range pkgs {
		if serviceOf(p.ImportPath) == svc && slices.ContainsFunc(p.Imports, func(d string) bool { return under(d, dep) }) {
			return true
		}
	}
	return false
}

// TestKitAndPortsStayBelowTheServices: the shared layers know no service and no HTTP.
func TestKitAndPortsStayBelowTheServices(t *testing.T) {
	for _, p := range listPackages(t, module+"/internal/service/kit", module+"/internal/service/port", module+"/internal/awserr", module+"/internal/awsmodel") {
		for _, dep := range p.Deps {
			if serviceOf(dep) != "" || slices.ContainsFunc(forbidden, func(f string) bool { return under(dep, f) }) {
				t.Errorf("%s depends on %s", p.ImportPath, dep)
			}
		}
	}
}

// TestServicesOnTheKit: a service on the kit reaches the store and the request only
// through the kit, meets other services only through ports (never kit.Adopt or kit.Raw,
// which are for the services of notOnKit), and keeps every text it answers in the
// catalogue of its errors.json (errors_gen.go).
func TestServicesOnTheKit(t *testing.T) {
	for _, p := range listPackages(t, module+"/internal/service/...") {
		svc := serviceOf(p.ImportPath)
		if _, waiting := notOnKit[svc]; svc == "" || waiting {
			continue
		}
		for _, imp := range p.Imports {
			if slices.Contains(kitOnly, imp) {
				t.Errorf("%s imports %s: use the kit", p.ImportPath, imp)
			}
		}
		files := parseFiles(t, p)
		for _, problem := range legacyCalls(files) {
			t.Errorf("%s: %s", p.ImportPath, problem)
		}
		for _, problem := range catalogueProblems(files) {
			t.Errorf("%s: %s", p.ImportPath, problem)
		}
	}
}

type sourceFile struct {
	name string
	fset *token.FileSet
	ast  *ast.File
}

func parseFiles(t *testing.T, p goPackage) []sourceFile {
	t.Helper()
	var out []sourceFile
	for _, name := range p.GoFiles {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sourceFile{name: name, fset: fset, ast: f})
	}
	return out
}

func (f sourceFile) at(n ast.Node) string {
	pos := f.fset.Position(n.Pos())
	return fmt.Sprintf("%s:%d", f.name, pos.Line)
}

// legacyCalls finds uses of kit.Adopt and kit.Raw.
func legacyCalls(files []sourceFile) []string {
	var out []string
	for _, f := range files {
		ast.Inspect(f.ast, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "kit" && (sel.Sel.Name == "Adopt" || sel.Sel.Name == "Raw") {
					out = append(out, f.at(sel)+": kit."+sel.Sel.Name+" is for the services not on the kit")
				}
			}
			return true
		})
	}
	return out
}

// catalogueProblems checks the errors as data: the catalogue is the package-level
// awserr.Message values of errors_gen.go (written from errors.json) and errors.go; every
// call X.New(...) of an entry passes as many arguments as its text has verbs; and no
// other file makes an error from a text written in place (a string literal passed to a
// New method or to a function of errors.go).
func catalogueProblems(files []sourceFile) []string {
	verbs := map[string]int{}
	makers := map[string]bool{} // the functions of errors.go
	for _, f := range files {
		if !isCatalogue(f.name) {
			continue
		}
		for name, text := range catalogueOf(f.ast) {
			verbs[name] = countVerbs(text)
		}
		for _, decl := range f.ast.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok {
				makers[fn.Name.Name] = true
			}
		}
	}
	var out []string
	for _, f := range files {
		ast.Inspect(f.ast, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			makesError := false
			switch fun := call.Fun.(type) {
			case *ast.SelectorExpr:
				// errors.New makes internal failures, which clients never read.
				pkg, _ := fun.X.(*ast.Ident)
				makesError = fun.Sel.Name == "New" && (pkg == nil || pkg.Name != "errors")
				if x, ok := fun.X.(*ast.Ident); ok && makesError {
					if want, isEntry := verbs[x.Name]; isEntry && call.Ellipsis == token.NoPos && len(call.Args) != want {
						out = append(out, fmt.Sprintf("%s: %s.New has %d arguments for %d verbs", f.at(call), x.Name, len(call.Args), want))
					}
				}
			case *ast.Ident:
				makesError = makers[fun.Name]
			}
			if makesError && !isCatalogue(f.name) && len(call.Args) > 0 {
				if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					out = append(out, f.at(call)+": a text written in place; put it in the catalogue, errors.json")
				}
			}
			return true
		})
	}
	return out
}

// isCatalogue is true for the files that hold a package's catalogue.
func isCatalogue(name string) bool { return name == "errors.go" || name == "errors_gen.go" }

// catalogueOf returns the texts of the package-level awserr.Message values of a file.
func catalogueOf(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.VAR {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, v := range vs.Values {
				if text, ok := messageText(v); ok {
					out[vs.Names[i].Name] = text
				}
			}
		}
	}
	return out
}

func messageText(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return "", false
	}
	sel, ok := lit.Type.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Message" {
		return "", false
	}
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok || kv.Key.(*ast.Ident).Name != "Text" {
			continue
		}
		if s, ok := kv.Value.(*ast.BasicLit); ok {
			text, err := strconv.Unquote(s.Value)
			return text, err == nil
		}
	}
	return "", false
}

// countVerbs counts the fmt verbs of a text (%% is none).
func countVerbs(text string) int {
	n := 0
	for i := 0; i < len(text); i++ {
		if text[i] != '%' {
			continue
		}
		if i+1 < len(text) && text[i+1] == '%' {
			i++
			continue
		}
		n++
	}
	return n
}

func TestCountVerbs(t *testing.T) {
	for text, want := range map[string]int{"plain": 0, "100%% sure": 0, "Key '%s' is %d days %v": 3, "%[1]s and %[1]s": 2} {
		if got := countVerbs(text); got != want {
			t.Errorf("countVerbs(%q) = %d, want %d", text, got, want)
		}
	}
}
