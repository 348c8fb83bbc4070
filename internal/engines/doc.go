// Package engines is the home of the real database servers behind RDS DB instances
// (--real-engines). It holds no code; its packages are:
//
//	rdsengines   port.DatabaseEngines for RDS: the wiring described below, done
//	supervisor   the entry point: creates, starts, stops, restores, supervises servers
//	postgres     one PostgreSQL server: initdb, process, password, WAL, backups, restore
//	backupstore  sealed base backups and WAL; restore windows; incremental copies
//	clockmap     xregion's movable clock <-> wall time, for restore targets and windows
//	pgbin        finding PostgreSQL installations and choosing a major version
//	proc         the servers' user, process start-up, finding leftover processes
//	sealstream   chunked sealing of long streams
//	atomicfile   files written whole or not at all
//
// Nothing here knows of services, HTTP or AWS shapes. How the RDS service uses it:
//
// Start-up: supervisor.Open(ctx, Config{Dir: <data-dir>/engines, BinDir: --postgres-bin,
// Backups: a resolver}) — pgbin.ErrNotFound means PostgreSQL is not installed, and RDS
// keeps its metadata-only behaviour. clockmap.Open on the store, then Note(time.Now(),
// clock.Offset()) at start-up and after every move of the clock. When xregion runs as root
// the servers run as the postgres (or nobody) user, who must reach <data-dir>/engines:
// the data directory must be searchable (0711, not 0700) or Open says which directory
// is not.
//
// The resolver maps a server id (the DB instance's resource id) to the instance's
// backup store in its Region: backupstore.Open(<dir>, sealer), the sealer derived from the
// instance's KMS key. Cache one Store per directory.
//
// Instances: CreateDBInstance → Supervisor.Create (Status.Address and Port are the
// Endpoint; Status.Version says which PostgreSQL runs), then BaseBackup when retention >
// 0. ModifyDBInstance's password, and each new value of a managed master secret
// (port.ManagedSecretOwner) → SetMasterPassword. Stop/Start/Reboot → Stop, Start,
// Reboot. DeleteDBInstance → a final snapshot if asked (below), then Delete.
//
// Automated backups: a job in the backup window calls BaseBackup; a retention job calls
// Store.Prune(wall instant of now − retention). The restore window is Store.Window(),
// converted with clockmap.ToClock. The supervisor flushes every running server every
// few seconds; call Flush when the window must reach now.
//
// Replication to another Region: a recurring job (skipped while the Region is faulted,
// so the replica's window falls behind, then catches up) runs backupstore.Copy(src, dst)
// into the destination Region's store, sealed with the destination key; CopyReport has
// the bytes moved.
//
// Point-in-time restore: target := clockmap.ToWall(RestoreTime), or Store.Window().Latest
// for UseLatestRestorableTime; Supervisor.Restore(RestoreSpec{ID: the new resource id,
// MasterUsername and DBName of the source, From: the source's or the replicated store,
// Target: postgres.Target{Time: target}}), then BaseBackup of the new server into its
// own store.
//
// Snapshots (and AWS Backup recovery points): BaseBackup, then backupstore.CopyBackup
// into the snapshot's own store, sealed with the snapshot's key. CopyDBSnapshot and
// copy jobs: backupstore.Copy between snapshot stores (CopyReport.Copied is what changed
// since the previous copy). Restoring a snapshot: Supervisor.Restore with BaseID and
// postgres.Target{Immediate: true}. The work of a snapshot is asked for again after a
// restart of xregion (RDS's durable jobs do), and a server that should run but is not
// up yet answers supervisor.ErrNotUpYet, which passes.
//
// Aurora PostgreSQL clusters: the cluster's storage is one server whose id is the
// cluster's resource id (DbClusterResourceId), made at CreateDBCluster and used by every
// member instance; its automated backups, snapshots (in stores of kind
// "cluster-snapshot"), copies and restores go through the same calls as an instance's.
//
// Read replicas (supervisor/standby.go, rdsengines/replicas.go): CreateDBInstanceReadReplica
// → CreateReplica, whose Supervisor.CreateStandby of the source's running server makes a
// streaming standby (read-only, the source's rows); rdsengines cuts and restores its
// stream (SetStream) while either Region is unreachable; ReplicaLag (the rule is
// postgres.Server.ReplicaLag's) for StatusInfos; PromoteReplica (Promote) in
// PromoteReadReplica's modifying step. Deleting the source leaves the standby running
// read-only; deleting the standby drops the source's slot.
//
// Health: Supervisor.Status. Shutdown: Supervisor.Close.
package engines
