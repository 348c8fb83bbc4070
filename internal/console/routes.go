package console

import (
	"io/fs"
	"net/http"
	"strings"
)

// routes is the console's pages and actions.
func (c *Console) routes() *http.ServeMux {
	m, p := http.NewServeMux(), Prefix
	assets, _ := fs.Sub(assetFiles, "assets")
	m.Handle("GET "+p+"assets/", http.StripPrefix(p+"assets/", http.FileServerFS(assets)))
	m.HandleFunc("GET /{$}", c.landing)
	m.Handle("GET "+strings.TrimSuffix(p, "/"), http.RedirectHandler(p, http.StatusMovedPermanently))
	m.HandleFunc("GET "+p+"signin", c.signInPage)
	m.HandleFunc("POST "+p+"signin", c.signIn)
	m.HandleFunc("POST "+p+"signout", c.page(c.signOut))
	m.HandleFunc("POST "+p+"account", c.page(c.switchAccount))

	m.HandleFunc("GET "+p+"{$}", c.page(c.overviewPage))
	m.HandleFunc("POST "+p+"xregion/clock", c.page(c.advanceClock))
	m.HandleFunc("POST "+p+"xregion/faults", c.page(c.setFault))

	m.HandleFunc("GET "+p+"backup/vaults", c.page(c.vaultsPage))
	m.HandleFunc("POST "+p+"backup/vaults", c.page(c.createVault))
	m.HandleFunc("GET "+p+"backup/vaults/{vault}", c.page(c.vaultPage))
	m.HandleFunc("POST "+p+"backup/vaults/{vault}/delete", c.page(c.deleteVault))
	m.HandleFunc("GET "+p+"backup/vault-options", c.page(c.vaultOptions))
	m.HandleFunc("GET "+p+"backup/recovery-point", c.page(c.pointPage))
	m.HandleFunc("GET "+p+"backup/copy", c.page(c.copyPage))
	m.HandleFunc("POST "+p+"backup/copy", c.page(c.startCopy))
	m.HandleFunc("POST "+p+"backup/restore", c.page(c.startRestore))

	m.HandleFunc("GET "+p+"backup/plans", c.page(c.plansPage))
	m.HandleFunc("GET "+p+"backup/plans/new", c.page(c.newPlanPage))
	m.HandleFunc("POST "+p+"backup/plans", c.page(c.createPlan))
	m.HandleFunc("GET "+p+"backup/plans/{plan}", c.page(c.planPage))
	m.HandleFunc("POST "+p+"backup/plans/{plan}/selections", c.page(c.assignResources))
	m.HandleFunc("POST "+p+"backup/plans/{plan}/delete", c.page(c.deletePlan))

	m.HandleFunc("GET "+p+"backup/jobs", c.page(c.jobsPage))
	m.HandleFunc("POST "+p+"backup/jobs", c.page(c.startBackup))

	m.HandleFunc("GET "+p+"rds", c.page(c.rdsPage))
	m.HandleFunc("POST "+p+"rds/restore", c.page(c.restoreToPointInTime))
	m.HandleFunc("POST "+p+"rds/replication", c.page(c.startReplication))
	m.HandleFunc("POST "+p+"rds/replication/stop", c.page(c.stopReplication))
	m.HandleFunc("POST "+p+"rds/snapshots", c.page(c.takeSnapshot))
	m.HandleFunc("POST "+p+"rds/snapshots/copy", c.page(c.copySnapshot))
	m.HandleFunc("GET "+p+"rds/clusters", c.page(c.clustersPage))
	m.HandleFunc("GET "+p+"rds/global-databases", c.page(c.globalDatabasesPage))

	m.HandleFunc("GET "+p+"efs", c.page(c.efsPage))

	m.HandleFunc("GET "+p+"secrets", c.page(c.secretsPage))
	m.HandleFunc("GET "+p+"secrets/status", c.page(c.replicationStatus))
	m.HandleFunc("POST "+p+"secrets/replicate", c.page(c.replicateSecret))
	m.HandleFunc("POST "+p+"secrets/remove-replica", c.page(c.removeReplica))
	m.HandleFunc("POST "+p+"secrets/promote", c.page(c.promoteReplica))
	return m
}

// landing is "/" as a browser opens it: the endpoint's name and a link to the console.
func (c *Console) landing(w http.ResponseWriter, r *http.Request) {
	c.write(w, http.StatusOK, "landing", "layout", view{Title: "xregion"})
}
