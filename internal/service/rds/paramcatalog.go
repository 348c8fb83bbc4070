package rds

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
)

// The engine default parameters of each parameter group family are data
// (data/parameters.json): what DescribeEngineDefaultParameters answers, what a new
// parameter group starts from, and what ModifyDBParameterGroup checks values against.

//go:embed data/parameters.json
var parametersJSON []byte

// paramDef is one parameter of a family as the engine defaults have it.
type paramDef struct {
	Name        string `json:"name"`
	Value       string `json:"value,omitempty"`
	Source      string `json:"source"` // engine-default or system
	Apply       string `json:"apply"`  // static or dynamic
	Type        string `json:"type"`   // boolean, integer, float, string, list
	Allowed     string `json:"allowed,omitempty"`
	Modifiable  bool   `json:"modifiable"`
	Description string `json:"description"`
}

// paramFamily is a parameter group family: the engine it belongs to, and the parameters
// of its DB parameter groups and of its DB cluster parameter groups (none for a family
// whose engine has no clusters), each sorted by name.
type paramFamily struct {
	Name    string
	Engine  string
	DB      []paramDef
	Cluster []paramDef
}

// defs are the parameters of the family's DB (cluster false) or DB cluster parameter
// groups.
func (f *paramFamily) defs(cluster bool) []paramDef {
	if cluster {
		return f.Cluster
	}
	return f.DB
}

// def finds a parameter by name.
func (f *paramFamily) def(cluster bool, name string) (paramDef, bool) {
	defs := f.defs(cluster)
	i, ok := slices.BinarySearchFunc(defs, name, func(d paramDef, n string) int { return strings.Compare(d.Name, n) })
	if !ok {
		return paramDef{}, false
	}
	return defs[i], true
}

// paramFamilies are the families by name, and paramFamilyNames their names in order,
// parsed on first use rather than at package initialisation (start-up does not pay for
// them).
func paramFamilies() map[string]*paramFamily { f, _ := paramCatalogue(); return f }
func paramFamilyNames() []string             { _, n := paramCatalogue(); return n }

var paramCatalogue = sync.OnceValues(func() (map[string]*paramFamily, []string) {
	return mustLoadParamFamilies(parametersJSON)
})

func mustLoadParamFamilies(raw []byte) (map[string]*paramFamily, []string) {
	families, err := loadParamFamilies(raw)
	if err != nil {
		panic("rds: data/parameters.json: " + err.Error())
	}
	names := make([]string, 0, len(families))
	for n := range families {
		names = append(names, n)
	}
	slices.Sort(names)
	return families, names
}

func loadParamFamilies(raw []byte) (map[string]*paramFamily, error) {
	var file struct {
		Sets     map[string][]paramDef `json:"sets"`
		Families []struct {
			Family  string   `json:"family"`
			Engine  string   `json:"engine"`
			DB      []string `json:"db"`
			Cluster []string `json:"cluster"`
		} `json:"families"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, err
	}
	out := make(map[string]*paramFamily, len(file.Families))
	for _, f := range file.Families {
		db, err := mergeSets(file.Sets, f.DB)
		if err != nil {
			return nil, fmt.Errorf("family %s: %w", f.Family, err)
		}
		cluster, err := mergeSets(file.Sets, f.Cluster)
		if err != nil {
			return nil, fmt.Errorf("family %s: %w", f.Family, err)
		}
		out[f.Family] = &paramFamily{Name: f.Family, Engine: f.Engine, DB: db, Cluster: cluster}
	}
	return out, nil
}

// mergeSets joins the named sets, a later set's parameter replacing an earlier one's of
// the same name, sorted by name.
func mergeSets(sets map[string][]paramDef, names []string) ([]paramDef, error) {
	byName := map[string]paramDef{}
	for _, n := range names {
		set, ok := sets[n]
		if !ok {
			return nil, fmt.Errorf("no parameter set %q", n)
		}
		for _, d := range set {
			byName[d.Name] = d
		}
	}
	out := make([]paramDef, 0, len(byName))
	for _, d := range byName {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b paramDef) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// checkValue checks a value against the parameter's AllowedValues.
func (d paramDef) checkValue(value string) error {
	if allowedValue(value, d.Allowed, d.Type) {
		return nil
	}
	if _, _, ok := parseRange(d.Allowed); ok {
		return msgParamOutOfRange.New(value, d.Allowed, d.Name)
	}
	return msgParamNotAllowed.New(value, d.Name, d.Allowed)
}

// allowedValue reports whether a value of a type (boolean, integer, float, string, list)
// is among the AllowedValues RDS writes for parameters and option settings: a range
// ("1-65535", "-1-2147483647") for numbers, or a comma-separated list of values, each
// element of a list value being one of them; nothing allows anything. Numbers may also
// be given as formulas ("{DBInstanceClassMemory/12582880}"), which RDS evaluates when it
// applies them and which xregion therefore takes as they are.
func allowedValue(value, allowed, typ string) bool {
	if allowed == "" {
		return true
	}
	if lo, hi, ok := parseRange(allowed); ok && (typ == "integer" || typ == "float") {
		if strings.ContainsAny(value, "{(") {
			return true
		}
		n, ok := new(big.Rat).SetString(value)
		return ok && (typ != "integer" || n.IsInt()) && n.Cmp(lo) >= 0 && n.Cmp(hi) <= 0
	}
	values := []string{value}
	if typ == "list" {
		values = strings.Split(value, ",")
	}
	for _, v := range values {
		if !slices.Contains(strings.Split(allowed, ","), strings.TrimSpace(v)) {
			return false
		}
	}
	return true
}

// parseRange reads "lo-hi", where lo may be negative.
func parseRange(s string) (*big.Rat, *big.Rat, bool) {
	if s == "" {
		return nil, nil, false
	}
	i := strings.Index(s[1:], "-")
	if i < 0 || strings.Contains(s, ",") {
		return nil, nil, false
	}
	lo, ok1 := new(big.Rat).SetString(s[:i+1])
	hi, ok2 := new(big.Rat).SetString(s[i+2:])
	return lo, hi, ok1 && ok2
}
