package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// A Call is one place the code hands a program name to os/exec.
type Call struct {
	Program string // as written: a name looked up in PATH, or an absolute path
	Pos     string // file:line of the literal that names it
}

// sink describes an os/exec function and which argument names the program.
var sinks = map[string]int{"Command": 0, "CommandContext": 1, "LookPath": 0}

// Scan parses every Go file under root (skipping hidden directories, testdata and
// vendor) and returns the programs the code runs: string literals that reach the program
// argument of exec.Command, exec.CommandContext or exec.LookPath directly, through a
// package-level constant or variable, or through the parameters of functions in the same
// package (followed to a fixed point). Names built at run time (paths of binaries the
// tests build themselves) are not programs of the machine and are left out.
func Scan(root string) ([]Call, error) {
	pkgs := map[string][]*ast.File{} // directory -> its files
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		dir := filepath.Dir(path)
		pkgs[dir] = append(pkgs[dir], f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var calls []Call
	for _, files := range pkgs {
		calls = append(calls, scanPackage(fset, root, files)...)
	}
	sort.Slice(calls, func(i, j int) bool {
		if calls[i].Program != calls[j].Program {
			return calls[i].Program < calls[j].Program
		}
		return calls[i].Pos < calls[j].Pos
	})
	return calls, nil
}

// paramRef names a function's parameter by position.
type paramRef struct {
	fn    string
	index int
}

func scanPackage(fset *token.FileSet, root string, files []*ast.File) []Call {
	consts := map[string]*ast.BasicLit{} // package-level string constants and variables
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || (gd.Tok != token.CONST && gd.Tok != token.VAR) {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[name.Name] = lit
						}
					}
				}
			}
		}
	}
	pos := func(n ast.Node) string {
		p := fset.Position(n.Pos())
		rel, err := filepath.Rel(root, p.Filename)
		if err != nil {
			rel = p.Filename
		}
		return fmt.Sprintf("%s:%d", rel, p.Line)
	}

	var calls []Call
	seen := map[Call]bool{}
	// wanted holds the function parameters known to carry a program name.
	wanted := map[paramRef]bool{}
	// resolve records what expr, an argument in a program position inside fn, names.
	resolve := func(fn *ast.FuncDecl, expr ast.Expr) bool {
		switch e := expr.(type) {
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				if s, err := strconv.Unquote(e.Value); err == nil && s != "" {
					c := Call{Program: s, Pos: pos(e)}
					if !seen[c] {
						seen[c] = true
						calls = append(calls, c)
					}
				}
			}
		case *ast.Ident:
			if i := paramIndex(fn, e.Name); i >= 0 {
				ref := paramRef{fn.Name.Name, i}
				if !wanted[ref] {
					wanted[ref] = true
					return true
				}
				return false
			}
			if lit, ok := consts[e.Name]; ok && !isLocal(fn, e.Name) {
				s, err := strconv.Unquote(lit.Value)
				if err == nil && s != "" {
					c := Call{Program: s, Pos: pos(lit)}
					if !seen[c] {
						seen[c] = true
						calls = append(calls, c)
					}
				}
			}
		}
		return false
	}
	for changed := true; changed; {
		changed = false
		for _, f := range files {
			execName := importName(f, "os/exec")
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					switch fun := call.Fun.(type) {
					case *ast.SelectorExpr:
						if x, ok := fun.X.(*ast.Ident); ok && execName != "" && x.Name == execName {
							if i, ok := sinks[fun.Sel.Name]; ok && i < len(call.Args) {
								changed = resolve(fn, call.Args[i]) || changed
							}
						}
					case *ast.Ident:
						for ref := range wanted {
							if ref.fn == fun.Name && ref.index < len(call.Args) {
								changed = resolve(fn, call.Args[ref.index]) || changed
							}
						}
					}
					return true
				})
			}
		}
	}
	return calls
}

// importName returns the name under which f imports path, "" when it does not.
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == path {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return filepath.Base(path)
		}
	}
	return ""
}

// paramIndex returns the position of fn's parameter called name, -1 when it has none.
func paramIndex(fn *ast.FuncDecl, name string) int {
	i := 0
	for _, field := range fn.Type.Params.List {
		if len(field.Names) == 0 {
			i++
			continue
		}
		for _, n := range field.Names {
			if n.Name == name {
				return i
			}
			i++
		}
	}
	return -1
}

// isLocal reports whether fn declares a variable called name, shadowing a package one.
func isLocal(fn *ast.FuncDecl, name string) bool {
	local := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				for _, l := range s.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == name {
						local = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range s.Names {
				if id.Name == name {
					local = true
				}
			}
		}
		return !local
	})
	return local
}

// onThisMachine reports whether program can be run here: an absolute path that is an
// executable file, or a name found in PATH.
func onThisMachine(program string) bool {
	if filepath.IsAbs(program) {
		st, err := os.Stat(program)
		return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
	}
	_, err := exec.LookPath(program)
	return err == nil
}
