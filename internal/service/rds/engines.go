package rds

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strings"
	"sync"
)

// engine is one DB engine RDS offers, with what CreateDBInstance checks against and what
// DescribeDBEngineVersions and DescribeOrderableDBInstanceOptions answer. The versions
// are a selection of those AWS lists (kept small, but including the ones clients'
// examples use, such as PostgreSQL 13.4 of the Terraform documentation); the limits
// are AWS's documented ones (RDS User Guide, "Amazon RDS DB instance storage" and the
// per-engine pages).
type engine struct {
	Name        string
	Description string
	Port        int64
	Licenses    []string // the first is the default
	Versions    []engineVersion
	Storage     map[string]storageRange
	Classes     []string
	LogTypes    []string
	// DBNameMax is the longest DBName; 0 means the engine takes no DBName (SQL Server).
	DBNameMax  int
	Encryption bool // storage encryption is available
	MultiAZ    bool
	// ReplicatesBackups: cross-Region automated backup replication is available (AWS
	// documents it for every currently available version of every engine here).
	ReplicatesBackups bool
	// limits narrow, per class, the versions the class comes with (classLimit).
	limits map[string][]classLimit
}

type engineVersion struct {
	Version string
	Major   string // "13", "8.0", "19", "15.00"
	Family  string // parameter group family: "postgres13", "mysql8.0", "oracle-ee-19"
	Default bool
}

type storageRange struct{ Min, Max int64 }

// The storage types RDS knows, for the validation of StorageType.
var storageTypes = []string{"standard", "gp2", "gp3", "io1", "io2"}

// The engines are data (data/engines.json), as the parameter and option catalogues are:
// each engine's versions, classes, storage and features, and the class limits that make
// some of its classes orderable only with some of its versions — the previous
// generation (db.t2, db.m4, db.r4) with the versions RDS still offers it for, Graviton3
// (db.m7g, db.r7g) from the minor versions RDS first offered it with (RDS User Guide,
// "Supported DB engines for DB instance classes"; the data's _comment quotes the table). A combination outside them is one RDS
// refuses to create (msgCombination) and DescribeOrderableDBInstanceOptions does not list.
//
//go:embed data/engines.json
var enginesJSON []byte

// engineData is data/engines.json. A class list names classes and, with an "@" before
// its name, a class set; an engine's storage names a storage set.
type engineData struct {
	ClassSets   map[string][]string            `json:"classSets"`
	StorageSets map[string]map[string][2]int64 `json:"storageSets"`
	ClassLimits []classLimit                   `json:"classLimits"`
	Engines     []engineEntry                  `json:"engines"`
	Aurora      []engineEntry                  `json:"aurora"`
}

type engineEntry struct {
	Name              string      `json:"name"`
	Description       string      `json:"description"`
	Port              int64       `json:"port"`
	Licenses          []string    `json:"licenses"`
	Versions          [][3]string `json:"versions"` // version, major version, parameter group family
	Default           string      `json:"default"`
	Storage           string      `json:"storage"`
	Classes           []string    `json:"classes"`
	LogTypes          []string    `json:"logTypes"`
	DBNameMax         int         `json:"dbNameMax"`
	Encryption        bool        `json:"encryption"`
	MultiAZ           bool        `json:"multiAZ"`
	ReplicatesBackups bool        `json:"replicatesBackups"`
}

// classLimit narrows the versions of an engine that some of its classes come with: up to
// a major version, or from the first version of each major line that has them.
type classLimit struct {
	Engine    string   `json:"engine"`
	Classes   []string `json:"classes"`
	UpToMajor string   `json:"upToMajor"`
	// FromVersions are the first versions, one per major line, that have the classes. A
	// version of a major line not listed has them if it is newer than every listed one
	// (a major released after the classes) and not if it is older.
	FromVersions []string `json:"fromVersions"`
}

// allows reports whether the limit lets class run version v.
func (l classLimit) allows(v engineVersion) bool {
	if l.UpToMajor != "" && versionLess(l.UpToMajor, v.Major) {
		return false
	}
	newer := true
	for _, from := range l.FromVersions {
		if strings.HasPrefix(from, v.Major+".") {
			return !versionLess(v.Version, from)
		}
		newer = newer && versionLess(from, v.Version)
	}
	return newer
}

// engineCatalogue is data/engines.json, parsed on first use rather than at package
// initialisation, so that start-up does not pay for a catalogue only RDS requests read.
var engineCatalogue = sync.OnceValue(loadEngines)

type catalogue struct {
	engines, aurora map[string]*engine
	names           []string // the engines in a stable order, for the describe operations
}

// engines are the DB instance engines by name; auroraEngines the Aurora cluster engines.
func engines() map[string]*engine       { return engineCatalogue().engines }
func auroraEngines() map[string]*engine { return engineCatalogue().aurora }
func engineNames() []string             { return engineCatalogue().names }

// loadEngines panics on a catalogue that does not parse: the data is embedded in the
// binary, so this is a build defect that every RDS test would meet first.
func loadEngines() *catalogue {
	var d engineData
	if err := json.Unmarshal(enginesJSON, &d); err != nil {
		panic("rds: data/engines.json: " + err.Error())
	}
	limits := map[string]map[string][]classLimit{} // engine → class → limits
	for _, l := range d.ClassLimits {
		if limits[l.Engine] == nil {
			limits[l.Engine] = map[string][]classLimit{}
		}
		for _, c := range d.expand(l.Classes) {
			limits[l.Engine][c] = append(limits[l.Engine][c], l)
		}
	}
	build := func(list []engineEntry) map[string]*engine {
		m := make(map[string]*engine, len(list))
		for _, x := range list {
			m[x.Name] = d.engine(x, limits[x.Name])
		}
		return m
	}
	c := &catalogue{engines: build(d.Engines), aurora: build(d.Aurora)}
	for n := range c.engines {
		c.names = append(c.names, n)
	}
	slices.Sort(c.names)
	return c
}

func (d *engineData) engine(x engineEntry, limits map[string][]classLimit) *engine {
	e := &engine{
		Name: x.Name, Description: x.Description, Port: x.Port, Licenses: x.Licenses, Classes: d.expand(x.Classes),
		LogTypes: x.LogTypes, DBNameMax: x.DBNameMax, Encryption: x.Encryption, MultiAZ: x.MultiAZ,
		ReplicatesBackups: x.ReplicatesBackups, limits: limits,
	}
	for _, v := range x.Versions {
		e.Versions = append(e.Versions, engineVersion{Version: v[0], Major: v[1], Family: v[2], Default: v[0] == x.Default})
	}
	if x.Storage != "" {
		e.Storage = map[string]storageRange{}
		for t, r := range d.StorageSets[x.Storage] {
			e.Storage[t] = storageRange{Min: r[0], Max: r[1]}
		}
	}
	return e
}

// expand is a class list with its sets replaced by their classes.
func (d *engineData) expand(list []string) []string {
	var out []string
	for _, c := range list {
		if set, ok := strings.CutPrefix(c, "@"); ok {
			out = append(out, d.ClassSets[set]...)
			continue
		}
		out = append(out, c)
	}
	return out
}

func (e *engine) version(v string) (engineVersion, bool) {
	for _, ev := range e.Versions {
		if ev.Version == v {
			return ev, true
		}
	}
	return engineVersion{}, false
}

// resolveVersion finds the version a request names: a full version, a major version
// ("13", "8.0") meaning its latest minor, or nothing meaning the default.
func (e *engine) resolveVersion(v string) (engineVersion, bool) {
	if v == "" {
		for _, ev := range e.Versions {
			if ev.Default {
				return ev, true
			}
		}
	}
	if ev, ok := e.version(v); ok {
		return ev, true
	}
	var found engineVersion
	ok := false
	for _, ev := range e.Versions {
		if ev.Major == v {
			found, ok = ev, true
		}
	}
	return found, ok
}

func (e *engine) hasClass(c string) bool { return slices.Contains(e.Classes, c) }

// offers reports whether the engine offers class with version v: the class is one of the
// engine's and no class limit keeps it from v.
func (e *engine) offers(class string, v engineVersion) bool {
	if !e.hasClass(class) {
		return false
	}
	for _, l := range e.limits[class] {
		if !l.allows(v) {
			return false
		}
	}
	return true
}

func (e *engine) hasLicense(l string) bool { return slices.Contains(e.Licenses, l) }

// defaultParameterGroup is the name of the default DB parameter group of a family.
func defaultParameterGroup(family string) string { return "default." + family }

// defaultOptionGroup is the name of the default option group of an engine version:
// "default:postgres-13", "default:mysql-8-0", "default:sqlserver-ee-15-00".
func defaultOptionGroup(engineName, major string) string {
	return "default:" + engineName + "-" + strings.ReplaceAll(major, ".", "-")
}

// defaultStorageType is the storage type of a request that names none. AWS documents gp2
// (gp3 in newer texts); but the provider's own acceptance tests create PostgreSQL
// instances of 10 GiB without a storage type, below gp2's 20 GiB minimum, and look up
// orderable options for "standard" storage to do it. So a request below the general
// purpose minimum that magnetic storage can hold gets magnetic storage, as those tests
// find; everything else gets gp2.
func (e *engine) defaultStorageType(allocated int64, iops bool) string {
	if iops {
		return "io1"
	}
	gp2 := e.Storage["gp2"]
	if std, ok := e.Storage["standard"]; ok && allocated < gp2.Min && allocated >= std.Min {
		return "standard"
	}
	return "gp2"
}
