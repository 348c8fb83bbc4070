package rdsengines

// RunsCluster implements port.DatabaseEngines: an aurora-postgresql cluster's storage is
// a PostgreSQL server like an instance's (the cluster's DbClusterResourceId names it),
// so every other method serves clusters unchanged. aurora-mysql stays metadata, as MySQL
// instances do.
func (p *Provider) RunsCluster(engine string) bool { return engine == "aurora-postgresql" }
