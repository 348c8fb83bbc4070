package rds

import (
	"slices"
	"strings"
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

var (
	openSourceStorage = map[string]storageRange{
		"standard": {5, 3072}, "gp2": {20, 65536}, "gp3": {20, 65536}, "io1": {100, 65536}, "io2": {100, 65536},
	}
	oracleStorage = map[string]storageRange{
		"standard": {10, 3072}, "gp2": {20, 65536}, "gp3": {20, 65536}, "io1": {100, 65536}, "io2": {100, 65536},
	}
	sqlServerStorage = map[string]storageRange{
		"standard": {20, 1024}, "gp2": {20, 16384}, "gp3": {20, 16384}, "io1": {20, 16384}, "io2": {20, 16384},
	}
	sqlServerSmallStorage = map[string]storageRange{
		"standard": {20, 1024}, "gp2": {20, 16384}, "gp3": {20, 16384},
	}

	burstable  = []string{"db.t3.micro", "db.t3.small", "db.t3.medium", "db.t3.large", "db.t3.xlarge", "db.t3.2xlarge"}
	graviton   = []string{"db.t4g.micro", "db.t4g.small", "db.t4g.medium", "db.t4g.large", "db.m6g.large", "db.m6g.xlarge", "db.m7g.large", "db.r6g.large", "db.r7g.large"}
	general    = []string{"db.m5.large", "db.m5.xlarge", "db.m5.2xlarge", "db.m5.4xlarge", "db.m6i.large", "db.m6i.xlarge"}
	memory     = []string{"db.r5.large", "db.r5.xlarge", "db.r6i.large", "db.r6i.xlarge"}
	allClasses = concat(burstable, graviton, general, memory)
)

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func versions(family func(major string) string, defaultVersion string, vs ...[2]string) []engineVersion {
	out := make([]engineVersion, len(vs))
	for i, v := range vs {
		out[i] = engineVersion{Version: v[0], Major: v[1], Family: family(v[1]), Default: v[0] == defaultVersion}
	}
	return out
}

func oracle(name string) engine {
	return engine{
		Name: name, Description: "Oracle Database " + strings.ToUpper(strings.TrimPrefix(name, "oracle-")) + " Edition",
		Port: 1521, Licenses: []string{"bring-your-own-license"},
		Versions: versions(func(m string) string { return name + "-" + m }, "19.0.0.0.ru-2025-01.rur-2025-01.r1",
			[2]string{"19.0.0.0.ru-2024-10.rur-2024-10.r1", "19"}, [2]string{"19.0.0.0.ru-2025-01.rur-2025-01.r1", "19"},
			[2]string{"21.0.0.0.ru-2025-01.rur-2025-01.r1", "21"}),
		Storage: oracleStorage, Classes: concat(burstable, general, memory),
		LogTypes:  []string{"alert", "audit", "listener", "trace", "oemagent"},
		DBNameMax: 8, Encryption: true, MultiAZ: true, ReplicatesBackups: true,
	}
}

func sqlServer(name, edition string, storage map[string]storageRange, classes []string, encryption, multiAZ bool) engine {
	return engine{
		Name: name, Description: "SQL Server " + edition + " Edition", Port: 1433, Licenses: []string{"license-included"},
		Versions: versions(func(m string) string { return name + "-" + strings.TrimSuffix(m, "0") }, "16.00.4165.4.v1",
			[2]string{"15.00.4415.2.v1", "15.00"}, [2]string{"16.00.4165.4.v1", "16.00"}),
		Storage: storage, Classes: classes, LogTypes: []string{"agent", "error"},
		Encryption: encryption, MultiAZ: multiAZ, ReplicatesBackups: true,
	}
}

var engines = func() map[string]*engine {
	list := []engine{
		{
			Name: "postgres", Description: "PostgreSQL", Port: 5432, Licenses: []string{"postgresql-license"},
			Versions: versions(func(m string) string { return "postgres" + m }, "17.4",
				[2]string{"11.22", "11"}, [2]string{"12.19", "12"}, [2]string{"12.22", "12"},
				[2]string{"13.4", "13"}, [2]string{"13.7", "13"}, [2]string{"13.15", "13"}, [2]string{"13.20", "13"},
				[2]string{"14.12", "14"}, [2]string{"14.17", "14"}, [2]string{"15.7", "15"}, [2]string{"15.12", "15"},
				[2]string{"16.3", "16"}, [2]string{"16.8", "16"}, [2]string{"17.2", "17"}, [2]string{"17.4", "17"}),
			Storage: openSourceStorage, Classes: allClasses, LogTypes: []string{"postgresql", "upgrade"},
			DBNameMax: 63, Encryption: true, MultiAZ: true, ReplicatesBackups: true,
		},
		{
			Name: "mysql", Description: "MySQL Community Edition", Port: 3306, Licenses: []string{"general-public-license"},
			Versions: versions(func(m string) string { return "mysql" + m }, "8.0.41",
				[2]string{"5.7.44", "5.7"}, [2]string{"8.0.36", "8.0"}, [2]string{"8.0.39", "8.0"}, [2]string{"8.0.41", "8.0"},
				[2]string{"8.4.3", "8.4"}, [2]string{"8.4.4", "8.4"}),
			Storage: openSourceStorage, Classes: allClasses, LogTypes: []string{"audit", "error", "general", "slowquery"},
			DBNameMax: 64, Encryption: true, MultiAZ: true, ReplicatesBackups: true,
		},
		{
			Name: "mariadb", Description: "MariaDB Community Edition", Port: 3306, Licenses: []string{"general-public-license"},
			Versions: versions(func(m string) string { return "mariadb" + m }, "11.4.4",
				[2]string{"10.5.27", "10.5"}, [2]string{"10.6.20", "10.6"}, [2]string{"10.11.10", "10.11"}, [2]string{"11.4.4", "11.4"}),
			Storage: openSourceStorage, Classes: allClasses, LogTypes: []string{"audit", "error", "general", "slowquery"},
			DBNameMax: 64, Encryption: true, MultiAZ: true, ReplicatesBackups: true,
		},
		oracle("oracle-ee"),
		oracle("oracle-se2"),
		sqlServer("sqlserver-ee", "Enterprise", sqlServerStorage, concat([]string{"db.t3.xlarge", "db.t3.2xlarge"}, general, memory), true, true),
		sqlServer("sqlserver-se", "Standard", sqlServerStorage, concat([]string{"db.t3.xlarge", "db.t3.2xlarge"}, general, memory), true, true),
		sqlServer("sqlserver-web", "Web", sqlServerSmallStorage, concat(burstable[1:], general, memory), true, false),
		// SQL Server Express has neither encryption at rest nor Multi-AZ (RDS User Guide,
		// "Licensing Microsoft SQL Server on Amazon RDS").
		sqlServer("sqlserver-ex", "Express", sqlServerSmallStorage, burstable[:5], false, false),
	}
	m := make(map[string]*engine, len(list))
	for i := range list {
		m[list[i].Name] = &list[i]
	}
	return m
}()

// engineNames lists the engines in a stable order, for the describe operations.
var engineNames = func() []string {
	names := make([]string, 0, len(engines))
	for n := range engines {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}()

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
