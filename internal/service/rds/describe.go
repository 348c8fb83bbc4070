package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// findInstance finds an instance named as DescribeDBInstances accepts it: by identifier,
// by DbiResourceId (the provider falls back to that), or by ARN.
func findInstance(v kit.View, ident string) (*instanceRec, error) {
	if arn.IsARN(ident) {
		a, err := arn.Parse(ident)
		if err != nil || a.Service != serviceName || a.Region != v.Region() || a.Account != v.Account() || !strings.HasPrefix(a.Resource, "db:") {
			return nil, nil
		}
		ident = strings.TrimPrefix(a.Resource, "db:")
	}
	inst, err := instances.Get(v, strings.ToLower(ident))
	if err != nil || inst != nil {
		return inst, err
	}
	if strings.HasPrefix(ident, "db-") {
		return instanceByResourceID(v, ident)
	}
	return nil, nil
}

func instanceMatches(f filters, v kit.View, inst *instanceRec) bool {
	if _, ok := f["db-cluster-id"]; ok && inst.Cluster == "" {
		return false
	}
	if _, ok := f["domain"]; ok {
		return false // nor to a directory domain
	}
	return f.match("db-instance-id", inst.ID, instanceARN(partitionOf(v.Region()), v.Region(), v.Account(), inst.ID)) &&
		f.match("dbi-resource-id", inst.ResourceID) && f.match("engine", inst.Engine) &&
		f.match("db-cluster-id", inst.Cluster, clusterARN(partitionOf(v.Region()), v.Region(), v.Account(), inst.Cluster))
}

func (s *Service) DescribeDBInstances(ctx context.Context, in *rdsapi.DescribeDBInstancesMessage) (*rdsapi.DBInstanceMessage, error) {
	c := s.Call(ctx)
	f, err := parseFilters(in.Filters, "db-cluster-id", "db-instance-id", "dbi-resource-id", "domain", "engine")
	if err != nil {
		return nil, err
	}
	pg, err := s.describePage(c, "DescribeDBInstances", in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.DBInstanceMessage, error) {
		v := c.In(tx)
		list, next, err := instancesPage(v, pg, f, in.DBInstanceIdentifier)
		if err != nil {
			return nil, err
		}
		out := &rdsapi.DBInstanceMessage{DBInstances: make([]rdsapi.DBInstance, 0, len(list)), Marker: next}
		for _, inst := range list {
			out.DBInstances = append(out.DBInstances, s.instanceOut(v, inst, c.Now()))
		}
		return out, nil
	})
}

// instancesPage finds the instances a describe asks for: the one named, those the
// identifier filters name, or a page of all of them.
func instancesPage(v kit.View, pg page, f filters, ident *string) ([]*instanceRec, *string, error) {
	var lookups []string
	switch {
	case ident != nil:
		inst, err := findInstance(v, *ident)
		if err != nil {
			return nil, nil, err
		}
		if inst == nil {
			return nil, nil, msgInstanceNotFound.New(*ident)
		}
		lookups = []string{*ident}
	case len(f["dbi-resource-id"]) > 0:
		lookups = f["dbi-resource-id"]
	case len(f["db-instance-id"]) > 0:
		lookups = f["db-instance-id"]
	default:
		return scan(pg, v, instances, entryOf(v, instances), func(inst *instanceRec) bool { return instanceMatches(f, v, inst) })
	}
	var found []*instanceRec
	for _, id := range lookups {
		inst, err := findInstance(v, id)
		if err != nil {
			return nil, nil, err
		}
		if inst != nil && instanceMatches(f, v, inst) && !slices.ContainsFunc(found, func(c *instanceRec) bool { return c.ID == inst.ID }) {
			found = append(found, inst)
		}
	}
	list, next := sortedCut(pg, found, func(i *instanceRec) string { return i.ID })
	return list, next, nil
}

var snapshotTypes = []string{snapshotAutomated, snapshotManual, "shared", "public", "awsbackup"}

func (s *Service) DescribeDBSnapshots(ctx context.Context, in *rdsapi.DescribeDBSnapshotsMessage) (*rdsapi.DBSnapshotMessage, error) {
	c := s.Call(ctx)
	f, err := parseFilters(in.Filters, "db-instance-id", "db-snapshot-id", "dbi-resource-id", "snapshot-type", "engine")
	if err != nil {
		return nil, err
	}
	typ := strings.ToLower(deref(in.SnapshotType))
	if typ != "" && !slices.Contains(snapshotTypes, typ) {
		return nil, msgSnapshotType.New(deref(in.SnapshotType), strings.Join(snapshotTypes, ", "))
	}
	instID := strings.ToLower(deref(in.DBInstanceIdentifier))
	if arn.IsARN(instID) {
		instID = instID[strings.LastIndex(instID, ":")+1:]
	}
	pg, err := s.openPage(kit.List{Op: "DescribeDBSnapshots", Account: c.Account, Region: c.Region, Within: instID}, in.MaxRecords, in.Marker, 20, 100, 100)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.DBSnapshotMessage, error) {
		v := c.In(tx)
		keep := func(snap *snapshotRec) bool {
			if typ == "" && snap.Type != snapshotManual && snap.Type != snapshotAutomated || typ != "" && snap.Type != typ {
				return false
			}
			if instID != "" && snap.InstanceID != instID || in.DbiResourceId != nil && snap.ResourceID != *in.DbiResourceId {
				return false
			}
			return f.match("db-instance-id", snap.InstanceID, instanceARN(partitionOf(v.Region()), v.Region(), v.Account(), snap.InstanceID)) &&
				f.match("db-snapshot-id", snap.ID, snapshotARN(partitionOf(v.Region()), v.Region(), v.Account(), snap.ID)) &&
				f.match("dbi-resource-id", snap.ResourceID) && f.match("snapshot-type", snap.Type) && f.match("engine", snap.Engine)
		}
		list, next, err := s.snapshotsPage(tx, v, pg, in.DBSnapshotIdentifier, instID, typ, keep)
		if err != nil {
			return nil, err
		}
		out := &rdsapi.DBSnapshotMessage{DBSnapshots: make([]rdsapi.DBSnapshot, 0, len(list)), Marker: next}
		for _, snap := range list {
			out.DBSnapshots = append(out.DBSnapshots, snapshotOut(v, snap))
		}
		return out, nil
	})
}

// snapshotsPage finds the snapshots a describe asks for: the one named, or a page of an
// instance's or of all of them.
func (s *Service) snapshotsPage(tx kit.Tx, v kit.View, pg page, ident *string, instID, typ string, keep func(*snapshotRec) bool) ([]*snapshotRec, *string, error) {
	switch {
	case ident == nil && instID != "":
		return scan(pg, v, snapsByInst, entryOf(v, snapshots), keep, instID)
	case ident == nil:
		return scan(pg, v, snapshots, entryOf(v, snapshots), keep)
	}
	snap, _, err := findSnapshot(tx, v, *ident, false)
	if err != nil {
		return nil, nil, err
	}
	if snap == nil {
		return nil, nil, msgSnapshotNotFound.New(*ident)
	}
	if typ != "" && snap.Type != typ {
		return nil, nil, nil
	}
	return []*snapshotRec{snap}, nil, nil
}

// backupByARN finds an automated backup by its ARN, in the caller's account and Region.
func backupByARN(v kit.View, ident string) (*backupRec, error) {
	a, err := arn.Parse(ident)
	if err != nil || a.Service != serviceName || !strings.HasPrefix(a.Resource, "auto-backup:") {
		return nil, msgBadAutoBackupARN.New(ident)
	}
	if a.Region != v.Region() || a.Account != v.Account() {
		return nil, nil
	}
	return backupByID(v, strings.TrimPrefix(a.Resource, "auto-backup:"))
}

func (s *Service) DescribeDBInstanceAutomatedBackups(ctx context.Context, in *rdsapi.DescribeDBInstanceAutomatedBackupsMessage) (*rdsapi.DBInstanceAutomatedBackupMessage, error) {
	c := s.Call(ctx)
	f, err := parseFilters(in.Filters, "status", "db-instance-id", "dbi-resource-id")
	if err != nil {
		return nil, err
	}
	instID := strings.ToLower(deref(in.DBInstanceIdentifier))
	pg, err := s.openPage(kit.List{Op: "DescribeDBInstanceAutomatedBackups", Account: c.Account, Region: c.Region, Within: instID}, in.MaxRecords, in.Marker, 20, 100, 100)
	if err != nil {
		return nil, err
	}
	keep := func(b *backupRec) bool {
		return (instID == "" || b.InstanceID == instID) && f.match("status", b.Status) &&
			f.match("db-instance-id", b.InstanceID, b.SourceARN) && f.match("dbi-resource-id", b.ResourceID)
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.DBInstanceAutomatedBackupMessage, error) {
		v := c.In(tx)
		list, next, err := backupsPage(v, pg, in, instID, keep)
		if err != nil {
			return nil, err
		}
		out := &rdsapi.DBInstanceAutomatedBackupMessage{DBInstanceAutomatedBackups: make([]rdsapi.DBInstanceAutomatedBackup, 0, len(list)), Marker: next}
		for _, b := range list {
			out.DBInstanceAutomatedBackups = append(out.DBInstanceAutomatedBackups, s.backupOut(v, b, c.Now()))
		}
		return out, nil
	})
}

// backupsPage finds the automated backups a describe asks for: the one named by ARN or
// DbiResourceId, or a page of an instance's or of all of them.
func backupsPage(v kit.View, pg page, in *rdsapi.DescribeDBInstanceAutomatedBackupsMessage, instID string, keep func(*backupRec) bool) ([]*backupRec, *string, error) {
	var b *backupRec
	var err error
	switch {
	case in.DBInstanceAutomatedBackupsArn != nil:
		if b, err = backupByARN(v, *in.DBInstanceAutomatedBackupsArn); err == nil && b == nil {
			err = msgAutoBackupNotFound.New(*in.DBInstanceAutomatedBackupsArn)
		}
	case in.DbiResourceId != nil:
		if b, err = backups.Get(v, *in.DbiResourceId); err == nil && b == nil {
			err = msgAutoBackupNotFound.New(*in.DbiResourceId)
		}
	case instID != "":
		list, next, err := scan(pg, v, backupsByInst, entryOf(v, backups), keep, instID)
		if err == nil && len(list) == 0 && pg.marker == nil {
			err = msgAutoBackupNotFound.New(textOfInstance.with(instID))
		}
		return list, next, err
	default:
		return scan(pg, v, backups, entryOf(v, backups), keep)
	}
	if err != nil || !keep(b) {
		return nil, nil, err
	}
	return []*backupRec{b}, nil, nil
}

func (s *Service) DeleteDBInstanceAutomatedBackup(ctx context.Context, in *rdsapi.DeleteDBInstanceAutomatedBackupMessage) (*rdsapi.DeleteDBInstanceAutomatedBackupResult, error) {
	c := s.Call(ctx)
	if in.DbiResourceId == nil && in.DBInstanceAutomatedBackupsArn == nil {
		return nil, msgAutoBackupWhich.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.DeleteDBInstanceAutomatedBackupResult, error) {
		v := c.In(tx)
		var b *backupRec
		var err error
		what := deref(in.DBInstanceAutomatedBackupsArn)
		if in.DBInstanceAutomatedBackupsArn != nil {
			b, err = backupByARN(v, what)
		} else {
			what = *in.DbiResourceId
			b, err = backups.Get(v, what)
		}
		if err != nil {
			return nil, err
		}
		if b == nil || in.DbiResourceId != nil && b.ResourceID != *in.DbiResourceId {
			return nil, msgAutoBackupNotFound.New(what)
		}
		if b.Status != backupRetained {
			return nil, msgAutoBackupNotRetained.New(what, b.Status)
		}
		out := s.backupOut(v, b, c.Now())
		out.Status, out.RestoreWindow = new("deleting"), &rdsapi.RestoreWindow{}
		return &rdsapi.DeleteDBInstanceAutomatedBackupResult{DBInstanceAutomatedBackup: &out}, s.dropBackup(tx, v, b)
	})
}
