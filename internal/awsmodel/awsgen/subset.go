package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// subsetInfo says which part of a model was generated, for the generated file's header.
type subsetInfo struct {
	File        string // the list of operations, as named on the command line
	Kept, Total int    // operations generated, operations in the model
}

// keepOnly reduces the model to the operations listed in file and the shapes they reach.
// A model as large as EC2's (765 operations, 4,000 shapes) would otherwise put megabytes
// of Go that nothing calls into every build.
func (m *model) keepOnly(file string) (*subsetInfo, error) {
	names, err := readOperationList(file)
	if err != nil {
		return nil, err
	}
	byName := map[string]*operation{}
	for _, op := range m.Operations {
		byName[op.Name] = op
	}
	info := &subsetInfo{File: filepath.ToSlash(file), Kept: len(names), Total: len(m.Operations)}
	m.Operations = m.Operations[:0]
	for _, name := range names {
		op, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("%s: the model has no operation %q", file, name)
		}
		m.Operations = append(m.Operations, op)
	}
	m.sortOperations()
	m.Shapes = m.reachable()
	return info, nil
}

// readOperationList reads one operation name a line; blank lines and text after # are
// comments. Names must be unique, so a list that grows by hand stays readable.
func readOperationList(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var names []string
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		name, _, _ := strings.Cut(sc.Text(), "#")
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if prev, dup := seen[name]; dup {
			return nil, fmt.Errorf("%s:%d: %s is already listed on line %d", file, line, name, prev)
		}
		seen[name] = line
		names = append(names, name)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s lists no operations", file)
	}
	return names, nil
}

// reachable returns the shapes that the model's operations reach through their inputs,
// outputs and errors.
func (m *model) reachable() map[string]*shape {
	kept := map[string]*shape{}
	var visit func(name string)
	visit = func(name string) {
		s, ok := m.Shapes[name]
		if !ok || kept[name] != nil {
			return
		}
		kept[name] = s
		for _, r := range s.refs() {
			visit(r.Shape)
		}
	}
	for _, op := range m.Operations {
		for _, r := range op.refs() {
			visit(r.Shape)
		}
	}
	return kept
}

func (op *operation) refs() []*ref {
	var rs []*ref
	for _, r := range []*ref{op.Input, op.Output} {
		if r != nil {
			rs = append(rs, r)
		}
	}
	for i := range op.Errors {
		rs = append(rs, &op.Errors[i])
	}
	return rs
}

func (s *shape) refs() []*ref {
	rs := append([]*ref(nil), s.Members...)
	for _, r := range []*ref{s.Member, s.Key, s.Value} {
		if r != nil {
			rs = append(rs, r)
		}
	}
	return rs
}
