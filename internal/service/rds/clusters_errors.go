package rds

// Aurora DB clusters' and global clusters' entries of the catalogue. The texts of the
// member checks, the deletion checks and the global cluster state faults are AWS's as
// quoted in users' reports; the others follow their style.

const (
	quotaClusters       = 40
	maxClusterRetention = 35
)
