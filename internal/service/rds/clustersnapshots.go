package rds

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// DB cluster snapshots: manual ones (CreateDBClusterSnapshot, a final snapshot, a copy)
// and the daily automated ones (clusters_backups.go). A snapshot keeps what a restore from
// it starts with: the cluster's image.

// clusterImage is what a cluster snapshot or a retained cluster backup keeps of its
// cluster.
type clusterImage struct {
	Engine         string    `json:"engine"`
	EngineVersion  string    `json:"engineVersion"`
	Port           int64     `json:"port"`
	MasterUsername string    `json:"masterUsername"`
	DatabaseName   string    `json:"databaseName,omitempty"`
	AZs            []string  `json:"azs"`
	Encrypted      bool      `json:"encrypted,omitempty"`
	KmsKey         string    `json:"kmsKey,omitempty"`
	IAMAuth        bool      `json:"iamAuth,omitempty"`
	ClusterCreated time.Time `json:"clusterCreated,omitzero"`
	Retention      int64     `json:"retention"`
	BackupWindow   string    `json:"backupWindow"`
	RealData       bool      `json:"realData,omitempty"` // a backup store holds the data
}

func clusterImageOf(cl *clusterRec) clusterImage {
	return clusterImage{
		Engine: cl.Engine, EngineVersion: cl.EngineVersion, Port: cl.Port, MasterUsername: cl.MasterUsername,
		DatabaseName: cl.DatabaseName, AZs: cl.AZs, Encrypted: cl.Encrypted, KmsKey: cl.KmsKey, IAMAuth: cl.IAMAuth,
		ClusterCreated: cl.Created, Retention: cl.Retention, BackupWindow: cl.BackupWindow,
		RealData: cl.RealData,
	}
}

type clusterSnapshotRec struct {
	ID                string    `json:"id"`
	ClusterID         string    `json:"clusterId"`
	ClusterResourceID string    `json:"clusterResourceId"`
	Type              string    `json:"type"`
	Status            string    `json:"status"`
	Progress          int64     `json:"progress"`
	Created           time.Time `json:"created"`
	clusterImage
	SourceARN string       `json:"sourceArn,omitempty"` // a copy's source snapshot
	Source    *snapshotRef `json:"source,omitempty"`    // the source while it is copied
	Tags      []tagRec     `json:"tags,omitempty"`
}

var (
	clusterSnapshots = kit.Table[clusterSnapshotRec]{Kind: "csnap"} // csnap/<identifier>
	clusterAutoSnaps = kit.Index{Kind: "csnapauto"}                 // csnapauto/<DbClusterResourceId>/<identifier>
	jobClusterSnap   = kit.Kind[resourceRef]{Name: "rds.cluster-snapshot-step"}
)

const countClusterManual = "manual-cluster-snapshots"

func clusterSnapshotARN(partition, region, account, id string) string {
	return arn.New(partition, serviceName, region, account, "cluster-snapshot:"+id)
}

func putClusterSnapshot(v kit.View, sn *clusterSnapshotRec) error {
	if err := clusterSnapshots.Put(v, sn, sn.ID); err != nil {
		return err
	}
	if sn.Type == snapshotAutomated {
		return clusterAutoSnaps.Add(v, sn.ClusterResourceID, sn.ID)
	}
	return nil
}

func deleteClusterSnapshot(v kit.View, sn *clusterSnapshotRec) error {
	if err := clusterSnapshots.Delete(v, sn.ID); err != nil {
		return err
	}
	if sn.Type == snapshotAutomated {
		return clusterAutoSnaps.Remove(v, sn.ClusterResourceID, sn.ID)
	}
	return addCount(v, countClusterManual, -1)
}

// takeClusterSnapshot snapshots cl now; the snapshot is available after the transition.
func (s *Service) takeClusterSnapshot(tx kit.Tx, v kit.View, cl *clusterRec, id, typ string) error {
	now := s.Clock.Now()
	sn := &clusterSnapshotRec{
		ID: id, ClusterID: cl.ID, ClusterResourceID: cl.ResourceID, Type: typ, Status: snapshotCreating,
		Created: now, clusterImage: clusterImageOf(cl),
	}
	if cl.CopyTags {
		sn.Tags = append([]tagRec(nil), cl.Tags...)
	}
	return s.insertClusterSnapshot(tx, v, sn)
}

// insertClusterSnapshot stores a new snapshot after the checks of its identifier and
// quota, and arms its transition to available.
func (s *Service) insertClusterSnapshot(tx kit.Tx, v kit.View, sn *clusterSnapshotRec) error {
	if clusterSnapshots.Has(v, sn.ID) {
		return msgClusterSnapshotExists.New(sn.ID)
	}
	if sn.Type == snapshotManual {
		n, err := getCount(v, countClusterManual)
		if err != nil {
			return err
		}
		if n >= quotaManual {
			return msgSnapshotQuota.New()
		}
		if err := addCount(v, countClusterManual, 1); err != nil {
			return err
		}
	}
	if err := putClusterSnapshot(v, sn); err != nil {
		return err
	}
	if err := recordEvent(v, s.Clock.Now(), clusterSnapshotStarted(sn), sn.ID); err != nil {
		return err
	}
	_, err := jobClusterSnap.Enqueue(tx, s.After(), refIn(v, sn.ID))
	return err
}

func clusterSnapshotStarted(sn *clusterSnapshotRec) eventDef {
	if sn.Type == snapshotAutomated {
		return evClusterAutoSnapshot
	}
	return evClusterManualSnapshot
}

// runClusterSnapshotStep makes a snapshot available; a copy from another Region waits
// while either Region is unreachable, and ends when its source is gone.
func (s *Service) runClusterSnapshotStep(tx kit.Tx, p resourceRef) error {
	v := tx.In(p.Account, p.Region)
	sn, err := clusterSnapshots.Get(v, p.ID)
	if err != nil || sn == nil || sn.Status != snapshotCreating {
		return err
	}
	if sn.Source != nil {
		if _, down := s.Unreachable(sn.Source.Region, v.Region()); down {
			_, err := jobClusterSnap.Enqueue(tx, s.Clock.Now().Add(replicaRetry), p)
			return err
		}
		if !clusterSnapshots.Has(tx.In(sn.Source.Account, sn.Source.Region), sn.Source.ID) {
			return s.removeClusterSnapshot(tx, v, sn)
		}
	}
	if wait, err := s.clusterSnapshotEngineStep(tx, v, sn, p); wait || err != nil {
		return err
	}
	sn.Status, sn.Progress, sn.Source = snapshotAvailable, 100, nil
	if err := recordEvent(v, s.Clock.Now(), evClusterSnapshotCreated, sn.ID); err != nil {
		return err
	}
	return putClusterSnapshot(v, sn)
}

func (s *Service) CreateDBClusterSnapshot(ctx context.Context, in *rdsapi.CreateDBClusterSnapshotMessage) (*rdsapi.CreateDBClusterSnapshotResult, error) {
	c := s.Call(ctx)
	id, err := snapshotIdentifier("DBClusterSnapshotIdentifier", deref(in.DBClusterSnapshotIdentifier))
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	if !validIdentifier(deref(in.DBClusterIdentifier), maxClusterID) {
		return nil, msgInvalidIdentifier.New(paramClusterID)
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CreateDBClusterSnapshotResult, error) {
		v := c.In(tx)
		cl, err := clusters.Get(v, strings.ToLower(*in.DBClusterIdentifier))
		if err != nil {
			return nil, err
		}
		if cl == nil {
			return nil, msgClusterNotFound.New(*in.DBClusterIdentifier)
		}
		if err := requireAvailable(cl); err != nil {
			return nil, err
		}
		if err := s.takeClusterSnapshot(tx, v, cl, id, snapshotManual); err != nil {
			return nil, err
		}
		sn, err := clusterSnapshots.Get(v, id)
		if err != nil {
			return nil, err
		}
		// Tags named in the request are the snapshot's, beside any CopyTagsToSnapshot gave it.
		sn.Tags = mergeTags(sn.Tags, tags)
		if err := putClusterSnapshot(v, sn); err != nil {
			return nil, err
		}
		return &rdsapi.CreateDBClusterSnapshotResult{DBClusterSnapshot: new(clusterSnapshotOut(v, sn))}, nil
	})
}

// findClusterSnapshot finds a snapshot by identifier, or by ARN in any Region of the
// caller's account when allowRegion is set, and returns it with the view it lives in.
func findClusterSnapshot(tx kit.Tx, v kit.View, ident string, allowRegion bool) (*clusterSnapshotRec, kit.View, error) {
	if !arn.IsARN(ident) {
		sn, err := clusterSnapshots.Get(v, strings.ToLower(ident))
		return sn, v, err
	}
	a, err := arn.Parse(ident)
	if err != nil || a.Service != serviceName || !strings.HasPrefix(a.Resource, "cluster-snapshot:") || a.Account != v.Account() {
		return nil, v, msgClusterSnapshotNotFound.New(ident)
	}
	if a.Region != v.Region() && !allowRegion {
		return nil, v, nil
	}
	src := tx.In(a.Account, a.Region)
	sn, err := clusterSnapshots.Get(src, strings.ToLower(strings.TrimPrefix(a.Resource, "cluster-snapshot:")))
	return sn, src, err
}

func (s *Service) DeleteDBClusterSnapshot(ctx context.Context, in *rdsapi.DeleteDBClusterSnapshotMessage) (*rdsapi.DeleteDBClusterSnapshotResult, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.DeleteDBClusterSnapshotResult, error) {
		v := c.In(tx)
		sn, _, err := findClusterSnapshot(tx, v, deref(in.DBClusterSnapshotIdentifier), false)
		if err != nil {
			return nil, err
		}
		if sn == nil {
			return nil, msgClusterSnapshotNotFound.New(deref(in.DBClusterSnapshotIdentifier))
		}
		if sn.Type == snapshotAutomated {
			return nil, msgClusterSnapshotAuto.New(sn.ID)
		}
		if sn.Status != snapshotAvailable {
			return nil, msgClusterSnapshotState.New(sn.ID, sn.Status)
		}
		out := clusterSnapshotOut(v, sn)
		out.Status = new("deleted")
		if err := s.removeClusterSnapshot(tx, v, sn); err != nil {
			return nil, err
		}
		return &rdsapi.DeleteDBClusterSnapshotResult{DBClusterSnapshot: &out}, nil
	})
}

func (s *Service) DescribeDBClusterSnapshots(ctx context.Context, in *rdsapi.DescribeDBClusterSnapshotsMessage) (*rdsapi.DBClusterSnapshotMessage, error) {
	c := s.Call(ctx)
	f, err := parseFilters(in.Filters, "db-cluster-id", "db-cluster-snapshot-id", "snapshot-type", "engine", "db-cluster-resource-id")
	if err != nil {
		return nil, err
	}
	typ := deref(in.SnapshotType)
	if typ != "" && typ != snapshotManual && typ != snapshotAutomated && typ != "shared" && typ != "public" {
		return nil, msgSnapshotType.New(typ, "automated, manual, shared, public")
	}
	pg, err := s.describePage(c, c.Operation, in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.DBClusterSnapshotMessage, error) {
		v := c.In(tx)
		out := &rdsapi.DBClusterSnapshotMessage{DBClusterSnapshots: []rdsapi.DBClusterSnapshot{}}
		keep := func(sn *clusterSnapshotRec) bool {
			return (typ == "" || typ == sn.Type) && clusterSnapshotMatches(f, v, sn) &&
				(in.DBClusterIdentifier == nil || strings.EqualFold(*in.DBClusterIdentifier, sn.ClusterID)) &&
				(in.DbClusterResourceId == nil || *in.DbClusterResourceId == sn.ClusterResourceID)
		}
		if in.DBClusterSnapshotIdentifier != nil {
			sn, _, err := findClusterSnapshot(tx, v, *in.DBClusterSnapshotIdentifier, false)
			if err != nil {
				return nil, err
			}
			if sn == nil {
				return nil, msgClusterSnapshotNotFound.New(*in.DBClusterSnapshotIdentifier)
			}
			if keep(sn) {
				out.DBClusterSnapshots = append(out.DBClusterSnapshots, clusterSnapshotOut(v, sn))
			}
			return out, nil
		}
		list, next, err := scan(pg, v, clusterSnapshots, entryOf(v, clusterSnapshots), keep)
		if err != nil {
			return nil, err
		}
		for _, sn := range list {
			out.DBClusterSnapshots = append(out.DBClusterSnapshots, clusterSnapshotOut(v, sn))
		}
		out.Marker = next
		return out, nil
	})
}

func clusterSnapshotMatches(f filters, v kit.View, sn *clusterSnapshotRec) bool {
	return f.match("db-cluster-id", sn.ClusterID, clusterARN(partitionOf(v.Region()), v.Region(), v.Account(), sn.ClusterID)) &&
		f.match("db-cluster-snapshot-id", sn.ID, clusterSnapshotARN(partitionOf(v.Region()), v.Region(), v.Account(), sn.ID)) &&
		f.match("snapshot-type", sn.Type) && f.match("engine", sn.Engine) && f.match("db-cluster-resource-id", sn.ClusterResourceID)
}

func clusterSnapshotOut(v kit.View, sn *clusterSnapshotRec) rdsapi.DBClusterSnapshot {
	return rdsapi.DBClusterSnapshot{
		AvailabilityZones: sn.AZs, DBClusterSnapshotIdentifier: new(sn.ID), DBClusterIdentifier: new(sn.ClusterID),
		SnapshotCreateTime: optTime(sn.Created), Engine: new(sn.Engine), EngineMode: new("provisioned"), AllocatedStorage: new(int64(0)),
		Status: new(sn.Status), Port: new(sn.Port), VpcId: new(defaultVPC(v.Account(), v.Region())), ClusterCreateTime: optTime(sn.ClusterCreated),
		MasterUsername: new(sn.MasterUsername), EngineVersion: new(sn.EngineVersion), LicenseModel: new(auroraEngines()[sn.Engine].Licenses[0]),
		SnapshotType: new(sn.Type), PercentProgress: new(sn.Progress), StorageEncrypted: new(sn.Encrypted), KmsKeyId: optStr(sn.KmsKey),
		DBClusterSnapshotArn:       new(clusterSnapshotARN(partitionOf(v.Region()), v.Region(), v.Account(), sn.ID)),
		SourceDBClusterSnapshotArn: optStr(sn.SourceARN), IAMDatabaseAuthenticationEnabled: new(sn.IAMAuth),
		TagList: tagsOut(sn.Tags), StorageType: new(storageAurora), DbClusterResourceId: new(sn.ClusterResourceID),
		BackupRetentionPeriod: new(sn.Retention), PreferredBackupWindow: optStr(sn.BackupWindow),
	}
}
