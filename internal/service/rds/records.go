package rds

import (
	"fmt"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/service/kit"
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
	MasterSecretARN       string           `json:"masterSecretArn,omitempty"` // ManageMasterUserPassword: the secret
	MasterSecretKey       string           `json:"masterSecretKey,omitempty"` // and the ARN of its KMS key
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
	ParamRebootPending    bool             `json:"paramRebootPending,omitempty"` // parameter changes wait for a reboot
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
	RealData              bool             `json:"realData,omitempty"`          // a real server (realdata.go)
	ReplicaOf             *replicaLink     `json:"replicaOf,omitempty"`         // a read replica: its source (replicas.go)
	ReplicationDown       bool             `json:"replicationDown,omitempty"`   // a cross-Region replica: its replication was last seen stopped (replication_watch.go)
	ReplicationWatched    time.Time        `json:"replicationWatched,omitzero"` // a cross-Region replica: the watch has recorded its outages up to then
	ReadReplicas          []replicaLink    `json:"readReplicas,omitempty"`
	Cluster               string           `json:"cluster,omitempty"` // the Aurora DB cluster it is a member of (clusters.go)
	PromotionTier         int64            `json:"promotionTier,omitempty"`
	azAsked               bool             // the request named AvailabilityZone (not stored)
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
	ID         string `json:"id"` // ab-…
	ResourceID string `json:"resourceId"`
	Replica    bool   `json:"replica,omitempty"`
	Status     string `json:"status"`
	// ReplicationDown: a replicated backup's replication was last seen stopped by an
	// unreachable Region (replication_watch.go).
	ReplicationDown bool `json:"replicationDown,omitempty"`
	// ReplicationWatched: the watch has recorded the replication's outages up to then
	// (from when it began replicating).
	ReplicationWatched time.Time `json:"replicationWatched,omitzero"`
	SourceRegion       string    `json:"sourceRegion"`
	SourceARN          string    `json:"sourceArn"`
	InstanceID         string    `json:"instanceId"`
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
	SourceRegion   string       `json:"sourceRegion,omitempty"`
	SourceSnapshot string       `json:"sourceSnapshot,omitempty"` // as the copy request named it
	Source         *snapshotRef `json:"source,omitempty"`         // a copy's source, while it is copied
	LegacySource   string       `json:"sourceKey,omitempty"`      // see sourceOf
	Shared         []string     `json:"shared,omitempty"`         // the restore attribute
	Tags           []tagRec     `json:"tags,omitempty"`
}

// snapshotRef names a snapshot in any account and Region.
type snapshotRef struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	ID      string `json:"id"`
}

// sourceOf is where a copy in progress copies from. Copies started before RDS moved onto
// the kit recorded their source as its raw store key (account, Region, service, kind and
// identifier joined by NUL); they are read here so that a copy in progress across an
// upgrade ends as it would have.
func (s *snapshotRec) sourceOf() (snapshotRef, bool) {
	if s.Source != nil {
		return *s.Source, true
	}
	parts := strings.Split(s.LegacySource, "\x00")
	if len(parts) != 5 {
		return snapshotRef{}, false
	}
	return snapshotRef{Account: parts[0], Region: parts[1], ID: parts[4]}, true
}

// The records of a Region (see the package documentation). The kinds are those the keys
// had before the kit: the layout of a data directory does not change.
var (
	instances     = kit.Table[instanceRec]{Kind: "db"}   // db/<identifier>
	instanceIDs   = kit.Blobs{Kind: "dbi"}               // dbi/<DbiResourceId>: the identifier
	backups       = kit.Table[backupRec]{Kind: "ab"}     // ab/<DbiResourceId>
	backupIDs     = kit.Blobs{Kind: "abid"}              // abid/<ab- id>: the DbiResourceId
	backupsByInst = kit.Index{Kind: "abinst"}            // abinst/<identifier>/<DbiResourceId>
	snapshots     = kit.Table[snapshotRec]{Kind: "snap"} // snap/<identifier>
	snapsByInst   = kit.Index{Kind: "snapinst"}          // snapinst/<instance identifier>/<snapshot identifier>
	autoSnaps     = kit.Index{Kind: "autosnap"}          // autosnap/<DbiResourceId>/<snapshot identifier>
	replicating   = kit.Index{Kind: "repl"}              // repl/<DbiResourceId>: backups replicated into the Region
	syncs         = kit.Table[syncMarker]{Kind: "sync"}  // sync: the armed replication sync job of the Region
	counters      = kit.Table[int64]{Kind: "count"}      // count/<name>: a quota's usage
)

// The counters.
const (
	countInstance = "instances"
	countStorage  = "storage"
	countManual   = "manual-snapshots"
	countReplicas = "replicated-backups"
)

// instanceByResourceID follows the DbiResourceId index.
func instanceByResourceID(v kit.View, dbi string) (*instanceRec, error) {
	return indexedInstances.byResourceID(v, dbi)
}

// putInstance writes an instance and its DbiResourceId index.
func putInstance(v kit.View, inst *instanceRec) error { return indexedInstances.put(v, inst) }

func deleteInstance(v kit.View, inst *instanceRec) error { return indexedInstances.delete(v, inst) }

func backupByID(v kit.View, abID string) (*backupRec, error) {
	dbi := backupIDs.Get(v, abID)
	if dbi == nil {
		return nil, nil
	}
	return backups.Get(v, string(dbi))
}

// putBackup writes an automated backup and its indexes: by ab- id, and by instance
// identifier, which a rename of the instance moves.
func putBackup(v kit.View, b *backupRec) error {
	old, err := backups.Get(v, b.ResourceID)
	if err != nil {
		return err
	}
	if old != nil && old.InstanceID != b.InstanceID {
		if err := backupsByInst.Remove(v, old.InstanceID, b.ResourceID); err != nil {
			return err
		}
	}
	if err := backups.Put(v, b, b.ResourceID); err != nil {
		return err
	}
	if err := backupsByInst.Add(v, b.InstanceID, b.ResourceID); err != nil {
		return err
	}
	return backupIDs.Put(v, []byte(b.ResourceID), b.ID)
}

func deleteBackup(v kit.View, b *backupRec) error {
	if err := backups.Delete(v, b.ResourceID); err != nil {
		return err
	}
	if err := backupIDs.Delete(v, b.ID); err != nil {
		return err
	}
	return backupsByInst.Remove(v, b.InstanceID, b.ResourceID)
}

// putSnapshot writes a snapshot and its indexes: by instance identifier, and for an
// automated one by DbiResourceId.
func putSnapshot(v kit.View, s *snapshotRec) error {
	if err := snapshots.Put(v, s, s.ID); err != nil {
		return err
	}
	if err := snapsByInst.Add(v, s.InstanceID, s.ID); err != nil {
		return err
	}
	if s.Type == snapshotAutomated {
		return autoSnaps.Add(v, s.ResourceID, s.ID)
	}
	return nil
}

func deleteSnapshot(v kit.View, s *snapshotRec) error {
	if err := snapshots.Delete(v, s.ID); err != nil {
		return err
	}
	if err := snapsByInst.Remove(v, s.InstanceID, s.ID); err != nil {
		return err
	}
	switch s.Type {
	case snapshotAutomated:
		return autoSnaps.Remove(v, s.ResourceID, s.ID)
	case snapshotManual:
		return addCount(v, countManual, -1)
	}
	return nil // AWS Backup's snapshots do not count against the manual quota
}

// indexedBy returns the records of table that the entries of an index below within name
// by their last part, in the order of the index.
func indexedBy[T any](v kit.View, index kit.Index, table kit.Table[T], within ...string) ([]*T, error) {
	var ids []string
	err := index.Keys(v, "", func(e kit.Entry) bool {
		ids = append(ids, e.Last())
		return true
	}, within...)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		rec, err := table.Get(v, id)
		if err != nil {
			return nil, err
		}
		if rec != nil {
			out = append(out, rec)
		}
	}
	return out, nil
}

// automatedSnapshots lists the automated snapshots of one DbiResourceId through the
// index, oldest name first (the names end in their date).
func automatedSnapshots(v kit.View, dbi string) ([]*snapshotRec, error) {
	return indexedBy(v, autoSnaps, snapshots, dbi)
}

// Counters keep the quotas' usage per account and Region, so that no request counts by
// scanning.
func getCount(v kit.View, name string) (int64, error) {
	n, err := counters.Get(v, name)
	if err != nil || n == nil {
		return 0, err
	}
	return *n, nil
}

func addCount(v kit.View, name string, delta int64) error {
	n, err := getCount(v, name)
	if err != nil {
		return err
	}
	n += delta
	if n < 0 {
		return fmt.Errorf("rds: counter %s of %s/%s went negative", name, v.Account(), v.Region())
	}
	return counters.Put(v, &n, name)
}
