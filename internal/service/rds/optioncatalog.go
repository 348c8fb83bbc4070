package rds

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strings"
	"sync"
)

// The options an option group can hold are data (data/options.json): what
// DescribeOptionGroupOptions answers and what ModifyOptionGroup checks against.

//go:embed data/options.json
var optionsJSON []byte

// optionDef is an option of one or more engine versions.
type optionDef struct {
	Name         string              `json:"name"`
	Description  string              `json:"description"`
	Engines      map[string][]string `json:"engines"` // engine → major versions
	Versions     []string            `json:"versions,omitempty"`
	PortRequired bool                `json:"portRequired,omitempty"`
	DefaultPort  int64               `json:"defaultPort,omitempty"`
	Persistent   bool                `json:"persistent,omitempty"`
	Permanent    bool                `json:"permanent,omitempty"`
	Settings     []optionSettingDef  `json:"settings,omitempty"`
}

type optionSettingDef struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Default     string `json:"default,omitempty"`
	Allowed     string `json:"allowed,omitempty"`
	Apply       string `json:"apply"`
	Required    bool   `json:"required,omitempty"`
	Collection  bool   `json:"collection,omitempty"` // a comma-separated list of allowed values
}

// valueType is the setting's type for allowedValue.
func (d optionSettingDef) valueType() string {
	if d.Collection {
		return "list"
	}
	if _, _, ok := parseRange(d.Allowed); ok {
		return "integer"
	}
	return "string"
}

// optionDefs is data/options.json, parsed on first use rather than at package
// initialisation (start-up does not pay for it).
var optionDefs = sync.OnceValue(func() []optionDef {
	var file struct {
		Options []optionDef `json:"options"`
	}
	if err := json.Unmarshal(optionsJSON, &file); err != nil {
		panic("rds: data/options.json: " + err.Error())
	}
	slices.SortFunc(file.Options, func(a, b optionDef) int { return strings.Compare(a.Name, b.Name) })
	return file.Options
})

// optionsOf lists the options of an engine's major version, sorted by name.
func optionsOf(engineName, major string) []optionDef {
	var out []optionDef
	for _, o := range optionDefs() {
		if slices.Contains(o.Engines[engineName], major) {
			out = append(out, o)
		}
	}
	return out
}

// optionOf finds an option of an engine's major version.
func optionOf(engineName, major, name string) (optionDef, bool) {
	i := slices.IndexFunc(optionsOf(engineName, major), func(o optionDef) bool { return o.Name == name })
	if i < 0 {
		return optionDef{}, false
	}
	return optionsOf(engineName, major)[i], true
}

func (o optionDef) setting(name string) (optionSettingDef, bool) {
	i := slices.IndexFunc(o.Settings, func(s optionSettingDef) bool { return s.Name == name })
	if i < 0 {
		return optionSettingDef{}, false
	}
	return o.Settings[i], true
}
