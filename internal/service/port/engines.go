package port

import (
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// DatabaseEngines runs the real database servers behind RDS DB instances and keeps
// their backups (--real-engines). The server provides it when PostgreSQL is installed;
// without a provider RDS keeps its metadata-only behaviour.
//
// Servers are named by the DB instance's DbiResourceId. Operations that take time are
// asynchronous and idempotent: op names one request (RDS builds it from the resource
// and the record's sequence number); the first call starts the work in the background
// and answers done=false until it has finished, then done=true, or the error once. After
// a restart of xregion, work that was in flight is started again by the next call.
// Methods taking a kit.Tx run in the caller's transaction only to reach KMS keys (a
// backup store's data key); the work itself never holds the store.
type DatabaseEngines interface {
	// Runs reports whether DB instances of engine run as real servers.
	Runs(engine string) bool
	// Endpoint is where clients reach server id, once it was created or restored.
	Endpoint(id string) (DBEndpoint, bool)

	Create(tx kit.Tx, op string, s DBServer) (done bool, err error)
	Restore(tx kit.Tx, op string, r DBRestore) (done bool, err error)
	Stop(op, id string) (done bool, err error)
	Start(op, id string) (done bool, err error)
	Reboot(op, id string) (done bool, err error)
	SetPassword(op, id, password string) (done bool, err error)
	// Delete stops the server and removes it and its data; its backups stay.
	Delete(op, id string) (done bool, err error)

	// Backup takes a base backup of the running server id into its automated backups:
	// where its restore window begins.
	Backup(op, id string) (done bool, err error)
	// Snapshot takes a base backup of the running server id into its automated
	// backups, and copies it with the WAL it needs into dst: a snapshot of this moment.
	Snapshot(tx kit.Tx, op, id string, dst BackupStore) (done bool, err error)
	// CopyBackups brings dst up to date with src, re-encrypted under dst's key: a copy of
	// a snapshot, possibly into another Region.
	CopyBackups(tx kit.Tx, op string, src, dst BackupStore) (done bool, err error)
	// Replicate copies src into dst continuously (cross-Region automated backup
	// replication), every few seconds while neither Region is unreachable, until
	// StopReplicating.
	Replicate(tx kit.Tx, src, dst BackupStore) error
	StopReplicating(dst BackupStore) error
	// Window is the restore window of a backup store, in xregion's clock; ok is false
	// while it holds nothing to restore.
	Window(s BackupStore) (w RestoreWindow, ok bool)
	// Prune removes from s what no restore to an instant at or after before (xregion's
	// clock) needs: the automated backups' retention period.
	Prune(s BackupStore, before time.Time) error
	// DropBackups removes a backup store and everything in it.
	DropBackups(s BackupStore) error

	// Aurora DB clusters (aurora-postgresql). A cluster's storage is one server named by
	// its DbClusterResourceId, made, backed up, snapshotted and restored with the
	// methods above; its DB instances run that server rather than servers of their own.
	// RunsCluster reports whether DB clusters of engine run as real servers.
	RunsCluster(engine string) bool

	// Read replicas. A replica's server streams its source's WAL
	// (PostgreSQL streaming replication): read-only, with the source's rows as they are
	// committed. Its stream is cut while its Region or its source's is unreachable (the
	// engines watch the faults themselves, on wall time) and resumes, catching up, when
	// both are back. Deleting the source leaves the replica running read-only; deleting
	// the replica (Delete) drops what the source kept for it.
	//
	// CreateReplica makes server r.ID a replica of the running server r.Source.
	CreateReplica(tx kit.Tx, op string, r DBReplica) (done bool, err error)
	// ReplicaLag is how far replica id is behind its source (zero when it has replayed
	// all its source finished); ok is false when id is no running replica.
	ReplicaLag(id string) (lag time.Duration, ok bool)
	// PromoteReplica makes replica id a server of its own that accepts writes, with every
	// row it had replayed; promoting a server that is no replica does nothing.
	PromoteReplica(op, id string) (done bool, err error)
}

// DBReplica describes a new read replica's server.
type DBReplica struct {
	ID, Source           string      // the servers of the replica and of its source
	Region, SourceRegion string      // where each is: a fault on either cuts the stream
	Backups              BackupStore // the replica's automated backups, once promoted
}

// DBEndpoint is where a server listens, and which engine version runs it.
type DBEndpoint struct {
	Address string
	Port    int
	Version string // e.g. "15.18"
}

// BackupStore names a set of backups: an instance's automated backups (Kind
// "automated", Name its DbiResourceId) or a snapshot's (Kind "snapshot", Name the
// snapshot identifier), in one account and Region. Its files are encrypted with a data
// key of KeyARN, a KMS key of that Region, or of the server's root key when KeyARN is
// "" (an instance without storage encryption).
type BackupStore struct {
	Account, Region, Kind, Name, KeyARN string
}

// Kinds of backup stores.
const (
	AutomatedBackups = "automated"
	SnapshotBackups  = "snapshot"
	// ClusterSnapshotBackups are a DB cluster snapshot's (Name its identifier): cluster
	// snapshots have identifiers of their own, which may equal a DB snapshot's.
	ClusterSnapshotBackups = "cluster-snapshot"
)

// DBServer describes a new server.
type DBServer struct {
	ID, EngineVersion, MasterUsername, MasterPassword, DBName string
	Backups                                                   BackupStore // its automated backups
}

// DBRestore describes a server made from backups: to Time (xregion's clock), to the
// latest restorable time, or to the moment of a snapshot.
type DBRestore struct {
	ID, MasterUsername, DBName string
	From                       BackupStore
	Time                       time.Time
	Latest, Snapshot           bool
	Backups                    BackupStore // the new server's automated backups
}

// RestoreWindow is the span a restore can reach, in xregion's clock.
type RestoreWindow struct {
	Earliest, Latest time.Time
}
