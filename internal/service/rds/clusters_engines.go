package rds

import "strings"

// Aurora's engines: a catalogue of their own beside engines, because an Aurora engine has
// no DB instance of its own (its instances are members of a DB cluster, and its storage is
// the cluster's) and so none of the instance checks of validate.go apply to it. The
// versions are a selection of those AWS lists for each family of the parameter catalogue
// (aurora-postgresql13–16, aurora-mysql8.0); the classes are those Aurora offers for
// provisioned instances (RDS User Guide, "Supported DB engines for DB instance classes").
var auroraEngines = func() map[string]*engine {
	classes := []string{"db.serverless", "db.t3.medium", "db.t3.large", "db.t4g.medium", "db.t4g.large",
		"db.r5.large", "db.r5.xlarge", "db.r5.2xlarge", "db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge",
		"db.r6i.large", "db.r6i.xlarge", "db.r7g.large", "db.r7g.xlarge", "db.r7i.large"}
	list := []engine{
		{
			Name: "aurora-postgresql", Description: "Aurora (PostgreSQL)", Port: 5432, Licenses: []string{"postgresql-license"},
			Versions: versions(func(m string) string { return "aurora-postgresql" + m }, "16.6",
				[2]string{"13.12", "13"}, [2]string{"13.18", "13"}, [2]string{"14.9", "14"}, [2]string{"14.15", "14"},
				[2]string{"15.4", "15"}, [2]string{"15.10", "15"}, [2]string{"16.1", "16"}, [2]string{"16.6", "16"}),
			Classes: classes, LogTypes: []string{"postgresql", "instance"}, DBNameMax: 63, Encryption: true, MultiAZ: true,
		},
		{
			Name: "aurora-mysql", Description: "Aurora MySQL", Port: 3306, Licenses: []string{"general-public-license"},
			Versions: versions(func(string) string { return "aurora-mysql8.0" }, "8.0.mysql_aurora.3.08.0",
				[2]string{"8.0.mysql_aurora.3.04.0", "8.0"}, [2]string{"8.0.mysql_aurora.3.05.2", "8.0"},
				[2]string{"8.0.mysql_aurora.3.08.0", "8.0"}),
			Classes: classes, LogTypes: []string{"audit", "error", "general", "slowquery", "instance"}, DBNameMax: 64,
			Encryption: true, MultiAZ: true,
		},
	}
	m := make(map[string]*engine, len(list))
	for i := range list {
		m[list[i].Name] = &list[i]
	}
	return m
}()

// lookupAurora finds an Aurora engine by name. Any other engine, including the instance
// engines, is not one a DB cluster here can run: Multi-AZ DB clusters of postgres and
// mysql are a different product this RDS does not model.
func lookupAurora(name string) (*engine, error) {
	e, ok := auroraEngines[strings.ToLower(name)]
	if !ok {
		return nil, msgInvalidEngine.New(name)
	}
	return e, nil
}
