package rds

import "strings"

// Aurora's engines (auroraEngines, loaded from data/engines.json with the others) are a
// catalogue of their own beside engines, because an Aurora engine has no DB instance of
// its own (its instances are members of a DB cluster, and its storage is the cluster's)
// and so none of the instance checks of validate.go apply to it. The versions are a
// selection of those AWS lists for each family of the parameter catalogue
// (aurora-postgresql13–16, aurora-mysql8.0); the classes are those Aurora offers for
// provisioned instances (RDS User Guide, "Supported DB engines for DB instance classes").

// lookupAurora finds an Aurora engine by name. Any other engine, including the instance
// engines, is not one a DB cluster here can run: Multi-AZ DB clusters of postgres and
// mysql are a different product this RDS does not model.
func lookupAurora(name string) (*engine, error) {
	e, ok := auroraEngines()[strings.ToLower(name)]
	if !ok {
		return nil, msgInvalidEngine.New(name)
	}
	return e, nil
}
