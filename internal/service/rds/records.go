package rds

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// Statuses RDS reports. Clients' waiters fail on any status they do not know, so these
// are the only ones ever written.
const (
	statusCreating     = "creating"
	statusBackingUp    = "backing-up"
	statusAvailable    = "available"
	statusModifying    = "modifying"
	statusResetting    = "resetting-master-credentials"
	statusRebooting    = "rebooting"
	statusStopping     = "stopping"
	statusStopped      = "stopped"
	statusStarting     = "starting"
	statusDeleting     = "deleting"
	statusRenaming     = "renaming"
	backupActive       = "active"
	backupCreating     = "creating"
	backupRetained     = "retained"
	backupPending      = "pending"
	backupReplicating  = "replicating"
	snapshotCreating   = "creating"
	snapshotAvailable  = "available"
	snapshotManual     = "manual"
	snapshotAutomated  = "automated"
	restoreAttribute   = "restore"
	optionGroupInSync  = "in-sync"
	parameterGroupSync = "in-sync"
)

type tagRec struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// replicationRef is one Region an instance's automated backups replicate to.
type replicationRef struct {
	Region string `json:"region"`
	ARN    string `json:"arn"`
}

// pendingMods are changes ModifyDBInstance deferred to the maintenance window, or is
// applying while the instance is modifying.
type pendingMods struct {
	Class             *string `json:"class,omitempty"`
	AllocatedStorage  *int64  `json:"allocatedStorage,omitempty"`
	StorageType       *string `json:"storageType,omitempty"`
	Iops              *int64  `json:"iops,omitempty"`
	StorageThroughput *int64  `json:"storageThroughput,omitempty"`
	EngineVersion     *string `json:"engineVersion,omitempty"`
	MultiAZ           *bool   `json:"multiAZ,omitempty"`
	Retention         *int64  `json:"retention,omitempty"`
	Port              *int64  `json:"port,omitempty"`
	NewID             *string `json:"newId,omitempty"`
	CACert            *string `json:"caCert,omitempty"`
	LicenseModel      *string `json:"licenseModel,omitempty"`
	ParamGroup        *string `json:"paramGroup,omitempty"`
	OptionGroup       *string `json:"optionGroup,omitempty"`
	Password          bool    `json:"password,omitempty"`
}

func (p *pendingMods) empty() bool { return p == nil || *p == (pendingMods{}) }

// instanceRec is a DB instance. The master password is never stored: nothing reads it
// back, and RDS answers it only as "****" in PendingModifiedValues.
type instanceRec struct {
	ID                    string           `json:"id"`
	ResourceID            string           `json:"resourceId"`
	Status                string           `json:"status"`
	Seq                   int64            `json:"seq"`
	Class                 string           `json:"class"`
	Engine                string           `json:"engine"`
	EngineVersion         string           `json:"engineVersion"`
	LicenseModel          string           `json:"licenseModel"`
	MasterUsername        string           `json:"masterUsername"`
	DBName                string           `json:"dbName,omitempty"`
	AllocatedStorage      int64            `json:"allocatedStorage"`
	MaxAllocatedStorage   int64            `json:"maxAllocatedStorage,omitempty"`
	StorageType           string           `json:"storageType"`
	Iops                  int64            `json:"iops,omitempty"`
	StorageThroughput     int64            `json:"storageThroughput,omitempty"`
	Port                  int64            `json:"port"`
	AZ                    string           `json:"az"`
	MultiAZ               bool             `json:"multiAZ,omitempty"`
	Public                bool             `json:"public,omitempty"`
	AutoMinor             bool             `json:"autoMinor"`
	CopyTags              bool             `json:"copyTags,omitempty"`
	DeletionProtection    bool             `json:"deletionProtection,omitempty"`
	IAMAuth               bool             `json:"iamAuth,omitempty"`
	PerfInsights          bool             `json:"perfInsights,omitempty"`
	PerfInsightsRetention int64            `json:"perfInsightsRetention,omitempty"`
	MonitoringInterval    int64            `json:"monitoringInterval,omitempty"`
	MonitoringRoleARN     string           `json:"monitoringRoleArn,omitempty"`
	Retention             int64            `json:"retention"`
	BackupWindow          string           `json:"backupWindow"`
	MaintWindow           string           `json:"maintWindow"`
	Encrypted             bool             `json:"encrypted,omitempty"`
	KmsKey                string           `json:"kmsKey,omitempty"`
	ParamGroup            string           `json:"paramGroup"`
	ParamGroupStatus      string           `json:"paramGroupStatus"`
	OptionGroup           string           `json:"optionGroup"`
	SubnetGroup           string           `json:"subnetGroup"`
	VpcSGs                []string         `json:"vpcSgs,omitempty"`
	CACert                string           `json:"caCert"`
	NetworkType           string           `json:"networkType"`
	CharSet               string           `json:"charSet,omitempty"`
	NcharCharSet          string           `json:"ncharCharSet,omitempty"`
	Timezone              string           `json:"timezone,omitempty"`
	LogExports            []string         `json:"logExports,omitempty"`
	LifecycleSupport      string           `json:"lifecycleSupport,omitempty"`
	DedicatedLogVolume    bool             `json:"dedicatedLogVolume,omitempty"`
	Created               time.Time        `json:"created,omitzero"` // InstanceCreateTime, set when first available
	Pending               *pendingMods     `json:"pending,omitempty"`
	Applying              *pendingMods     `json:"applying,omitempty"`
	Tags                  []tagRec         `json:"tags,omitempty"`
	Replications          []replicationRef `json:"replications,omitempty"`
	BackupID              string           `json:"backupId,omitempty"` // ab- id of its automated backup
	BackupStart           time.Time        `json:"backupStart,omitzero"`
	NextBackup            time.Time        `json:"nextBackup,omitzero"`
	NextMaint             time.Time        `json:"nextMaint,omitzero"`
	AutoStart             time.Time        `json:"autoStart,omitzero"`
	LogGaps               []logGap         `json:"logGaps,omitempty"`       // times it was stopped; the last is open while it is
	DeleteBackups         bool             `json:"deleteBackups,omitempty"` // set while deleting
	RestoredFrom          string           `json:"restoredFrom,omitempty"`
	RealData              bool             `json:"realData,omitempty"` // a real server (realdata.go)
}

// image is what an automated backup or a snapshot keeps of the instance it was taken of:
// the attributes a restore from it starts with. Both records embed it, so its fields are
// stored flat, as members of the record.
type image struct {
	Class              string    `json:"class"`
	Engine             string    `json:"engine"`
	EngineVersion      string    `json:"engineVersion"`
	LicenseModel       string    `json:"licenseModel"`
	MasterUsername     string    `json:"masterUsername"`
	DBName             string    `json:"dbName,omitempty"`
	AllocatedStorage   int64     `json:"allocatedStorage"`
	StorageType        string    `json:"storageType"`
	Iops               int64     `json:"iops,omitempty"`
	StorageThroughput  int64     `json:"storageThroughput,omitempty"`
	Port               int64     `json:"port"`
	AZ                 string    `json:"az"`
	InstanceCreated    time.Time `json:"instanceCreated,omitzero"`
	OptionGroup        string    `json:"optionGroup"`
	Encrypted          bool      `json:"encrypted,omitempty"`
	KmsKey             string    `json:"kmsKey,omitempty"`
	IAMAuth            bool      `json:"iamAuth,omitempty"`
	Timezone           string    `json:"timezone,omitempty"`
	DedicatedLogVolume bool      `json:"dedicatedLogVolume,omitempty"`
	RealData           bool      `json:"realData,omitempty"` // it holds the data (realdata.go)
}

// imageOf is inst's image now.
func imageOf(inst *instanceRec) image {
	return image{
		Class: inst.Class, Engine: inst.Engine, EngineVersion: inst.EngineVersion, LicenseModel: inst.LicenseModel,
		MasterUsername: inst.MasterUsername, DBName: inst.DBName, AllocatedStorage: inst.AllocatedStorage,
		StorageType: inst.StorageType, Iops: inst.Iops, StorageThroughput: inst.StorageThroughput, Port: inst.Port,
		AZ: inst.AZ, InstanceCreated: inst.Created, OptionGroup: inst.OptionGroup, Encrypted: inst.Encrypted,
		KmsKey: inst.KmsKey, IAMAuth: inst.IAMAuth, Timezone: inst.Timezone, DedicatedLogVolume: inst.DedicatedLogVolume,
		RealData: inst.RealData,
	}
}

// backupRec is an automated backup: an instance's own (active, creating, retained) in
// the instance's Region, or a replicated one (pending, replicating, retained) in a
// destination Region. The instance properties are those it had when last synchronised,
// which is what a restore uses.
type backupRec struct {
	ID           string `json:"id"` // ab-…
	ResourceID   string `json:"resourceId"`
	Replica      bool   `json:"replica,omitempty"`
	Status       string `json:"status"`
	SourceRegion string `json:"sourceRegion"`
	SourceARN    string `json:"sourceArn"`
	InstanceID   string `json:"instanceId"`
	image
	Retention    int64            `json:"retention"`
	Start        time.Time        `json:"start,omitzero"`    // earliest restorable instant ever
	Until        time.Time        `json:"until,omitzero"`    // replicated: latest instant replicated so far
	Stopped      time.Time        `json:"stopped,omitzero"`  // retained: when logs stopped
	Expire       time.Time        `json:"expire,omitzero"`   // retained: when its expiry job is armed for
	LogGaps      []logGap         `json:"logGaps,omitempty"` // the source instance's, as last shared
	Replications []replicationRef `json:"replications,omitempty"`
	Tags         []tagRec         `json:"tags,omitempty"`
}

// snapshotRec is a DB snapshot, manual or automated.
type snapshotRec struct {
	ID         string    `json:"id"`
	InstanceID string    `json:"instanceId"`
	ResourceID string    `json:"resourceId"`
	Type       string    `json:"type"`
	Status     string    `json:"status"`
	Progress   int64     `json:"progress"`
	Created    time.Time `json:"created"`
	Original   time.Time `json:"original"`
	image
	SourceRegion   string   `json:"sourceRegion,omitempty"`
	SourceSnapshot string   `json:"sourceSnapshot,omitempty"` // as the copy request named it
	SourceKey      string   `json:"sourceKey,omitempty"`      // record key of a copy's source
	Shared         []string `json:"shared,omitempty"`         // the restore attribute
	Tags           []tagRec `json:"tags,omitempty"`
}

// Record kinds under the service scope.
const (
	kindInstance   = "db"
	kindDBI        = "dbi"      // DbiResourceId -> instance identifier
	kindBackup     = "ab"       // automated backup by DbiResourceId
	kindBackupID   = "abid"     // ab- id -> DbiResourceId
	kindSnapshot   = "snap"     // by identifier
	kindAutoSnap   = "autosnap" // DbiResourceId, snapshot identifier -> ""
	kindSnapInst   = "snapinst" // instance identifier, snapshot identifier -> ""
	kindBackupInst = "abinst"   // instance identifier, DbiResourceId -> ""
	kindReplica    = "repl"     // replicated backups being replicated into this Region
	kindSync       = "sync"     // the armed replication sync job of this Region
	kindCounter    = "count"
	countInstance  = "instances"
	countStorage   = "storage"
	countManual    = "manual-snapshots"
	countReplicas  = "replicated-backups"
)

func scopeOf(account, region string) store.Scope {
	return store.Scope{Account: account, Region: region, Service: serviceName}
}

func getJSON[T any](tx store.Tx, key string) (*T, error) {
	v := new(T)
	ok, err := store.GetJSON(tx, key, v)
	if err != nil || !ok {
		return nil, err
	}
	return v, nil
}

func getInstance(tx store.Tx, sc store.Scope, id string) (*instanceRec, error) {
	return getJSON[instanceRec](tx, sc.Key(kindInstance, id))
}

// instanceByResourceID follows the DbiResourceId index.
func instanceByResourceID(tx store.Tx, sc store.Scope, dbi string) (*instanceRec, error) {
	id := tx.Get(sc.Key(kindDBI, dbi))
	if id == nil {
		return nil, nil
	}
	return getInstance(tx, sc, string(id))
}

// putInstance writes an instance and its DbiResourceId index.
func putInstance(tx store.Tx, sc store.Scope, inst *instanceRec) error {
	if err := store.PutJSON(tx, sc.Key(kindInstance, inst.ID), inst); err != nil {
		return err
	}
	return tx.Put(sc.Key(kindDBI, inst.ResourceID), []byte(inst.ID))
}

func deleteInstance(tx store.Tx, sc store.Scope, inst *instanceRec) error {
	if err := tx.Delete(sc.Key(kindInstance, inst.ID)); err != nil {
		return err
	}
	return tx.Delete(sc.Key(kindDBI, inst.ResourceID))
}

func getBackup(tx store.Tx, sc store.Scope, dbi string) (*backupRec, error) {
	return getJSON[backupRec](tx, sc.Key(kindBackup, dbi))
}

func backupByID(tx store.Tx, sc store.Scope, abID string) (*backupRec, error) {
	dbi := tx.Get(sc.Key(kindBackupID, abID))
	if dbi == nil {
		return nil, nil
	}
	return getBackup(tx, sc, string(dbi))
}

// putBackup writes an automated backup and its indexes: by ab- id, and by instance
// identifier, which a rename of the instance moves.
func putBackup(tx store.Tx, sc store.Scope, b *backupRec) error {
	old, err := getBackup(tx, sc, b.ResourceID)
	if err != nil {
		return err
	}
	if old != nil && old.InstanceID != b.InstanceID {
		if err := tx.Delete(sc.Key(kindBackupInst, old.InstanceID, b.ResourceID)); err != nil {
			return err
		}
	}
	if err := store.PutJSON(tx, sc.Key(kindBackup, b.ResourceID), b); err != nil {
		return err
	}
	if err := tx.Put(sc.Key(kindBackupInst, b.InstanceID, b.ResourceID), nil); err != nil {
		return err
	}
	return tx.Put(sc.Key(kindBackupID, b.ID), []byte(b.ResourceID))
}

func deleteBackup(tx store.Tx, sc store.Scope, b *backupRec) error {
	for _, k := range []string{sc.Key(kindBackup, b.ResourceID), sc.Key(kindBackupID, b.ID), sc.Key(kindBackupInst, b.InstanceID, b.ResourceID)} {
		if err := tx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func getSnapshot(tx store.Tx, sc store.Scope, id string) (*snapshotRec, error) {
	return getJSON[snapshotRec](tx, sc.Key(kindSnapshot, id))
}

// putSnapshot writes a snapshot and its indexes: by instance identifier, and for an
// automated one by DbiResourceId.
func putSnapshot(tx store.Tx, sc store.Scope, s *snapshotRec) error {
	if err := store.PutJSON(tx, sc.Key(kindSnapshot, s.ID), s); err != nil {
		return err
	}
	if err := tx.Put(sc.Key(kindSnapInst, s.InstanceID, s.ID), nil); err != nil {
		return err
	}
	if s.Type == snapshotAutomated {
		return tx.Put(sc.Key(kindAutoSnap, s.ResourceID, s.ID), nil)
	}
	return nil
}

func deleteSnapshot(tx store.Tx, sc store.Scope, s *snapshotRec) error {
	if err := tx.Delete(sc.Key(kindSnapshot, s.ID)); err != nil {
		return err
	}
	if err := tx.Delete(sc.Key(kindSnapInst, s.InstanceID, s.ID)); err != nil {
		return err
	}
	switch s.Type {
	case snapshotAutomated:
		return tx.Delete(sc.Key(kindAutoSnap, s.ResourceID, s.ID))
	case snapshotManual:
		return addCount(tx, sc, countManual, -1)
	}
	return nil // AWS Backup's snapshots do not count against the manual quota
}

// indexed pages through the records an index names: each key under indexPrefix ends in
// the identifier of a record of kind, in the order of the index.
func indexed[T any](tx store.Tx, sc store.Scope, indexPrefix, kind, from string, size int, keep func(*T) bool) ([]*T, string, error) {
	var out []*T
	next := ""
	start := ""
	if from != "" {
		start = indexPrefix + from
	}
	var lookupErr error
	err := tx.Scan(indexPrefix, start, func(key string, _ []byte) bool {
		id := key[len(indexPrefix):]
		v, err := getJSON[T](tx, sc.Key(kind, id))
		if err != nil {
			lookupErr = err
			return false
		}
		if v == nil || !keep(v) {
			return true
		}
		if len(out) == size {
			next = encodeMarker(id)
			return false
		}
		out = append(out, v)
		return true
	})
	if err == nil {
		err = lookupErr
	}
	return out, next, err
}

// automatedSnapshots lists the automated snapshots of one DbiResourceId through the
// index, oldest name first (the names end in their date).
func automatedSnapshots(tx store.Tx, sc store.Scope, dbi string) ([]*snapshotRec, error) {
	var ids []string
	prefix := sc.Prefix(kindAutoSnap, dbi)
	err := tx.Scan(prefix, "", func(key string, _ []byte) bool {
		ids = append(ids, key[len(prefix):])
		return true
	})
	if err != nil {
		return nil, err
	}
	out := make([]*snapshotRec, 0, len(ids))
	for _, id := range ids {
		s, err := getSnapshot(tx, sc, id)
		if err != nil {
			return nil, err
		}
		if s != nil {
			out = append(out, s)
		}
	}
	return out, nil
}

// Counters keep the quotas' usage per account and Region, so that no request counts by
// scanning.
func getCount(tx store.Tx, sc store.Scope, name string) (int64, error) {
	var n int64
	if _, err := store.GetJSON(tx, sc.Key(kindCounter, name), &n); err != nil {
		return 0, err
	}
	return n, nil
}

func addCount(tx store.Tx, sc store.Scope, name string, delta int64) error {
	n, err := getCount(tx, sc, name)
	if err != nil {
		return err
	}
	n += delta
	if n < 0 {
		return fmt.Errorf("rds: counter %s of %s/%s went negative", name, sc.Account, sc.Region)
	}
	b, _ := json.Marshal(n)
	return tx.Put(sc.Key(kindCounter, name), b)
}
