package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// findInstance finds an instance named as DescribeDBInstances accepts it: by identifier,
// by DbiResourceId (the provider falls back to that), or by ARN.
func findInstance(tx store.Tx, sc store.Scope, ident string) (*instanceRec, error) {
	if arn.IsARN(ident) {
		a, err := arn.Parse(ident)
		if err != nil || a.Service != serviceName || a.Region != sc.Region || a.Account != sc.Account || !strings.HasPrefix(a.Resource, "db:") {
			return nil, nil
		}
		ident = strings.TrimPrefix(a.Resource, "db:")
	}
	inst, err := getInstance(tx, sc, strings.ToLower(ident))
	if err != nil || inst != nil {
		return inst, err
	}
	if strings.HasPrefix(ident, "db-") {
		return instanceByResourceID(tx, sc, ident)
	}
	return nil, nil
}

func instanceMatches(f filters, sc store.Scope, inst *instanceRec) bool {
	if _, ok := f["db-cluster-id"]; ok {
		return false // no instance here belongs to a cluster
	}
	if _, ok := f["domain"]; ok {
		return false // nor to a directory domain
	}
	return f.match("db-instance-id", inst.ID, instanceARN(partitionOf(sc.Region), sc.Region, sc.Account, inst.ID)) &&
		f.match("dbi-resource-id", inst.ResourceID) && f.match("engine", inst.Engine)
}

// pageOf paginates records found through an index, in identifier order.
func pageOf[T any](items []*T, id func(*T) string, from string, size int) ([]*T, string) {
	slices.SortFunc(items, func(a, b *T) int { return strings.Compare(id(a), id(b)) })
	items = slices.DeleteFunc(items, func(v *T) bool { return id(v) < from })
	if len(items) > size {
		return items[:size], encodeMarker(id(items[size]))
	}
	return items, ""
}

func (s *Service) describeDBInstances(ctx context.Context, in *rdsapi.DescribeDBInstancesMessage) (*rdsapi.DBInstanceMessage, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	f, err := parseFilters(in.Filters, "db-cluster-id", "db-instance-id", "dbi-resource-id", "domain", "engine")
	if err != nil {
		return nil, err
	}
	size, from, err := pageArgs(in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var list []*instanceRec
	next := ""
	err = s.st.View(func(tx store.Tx) error {
		var candidates []*instanceRec
		var lookups []string
		switch {
		case in.DBInstanceIdentifier != nil:
			inst, err := findInstance(tx, sc, *in.DBInstanceIdentifier)
			if err != nil {
				return err
			}
			if inst == nil {
				return instanceNotFound(*in.DBInstanceIdentifier)
			}
			candidates = []*instanceRec{inst}
		case len(f["dbi-resource-id"]) > 0:
			lookups = f["dbi-resource-id"]
		case len(f["db-instance-id"]) > 0:
			lookups = f["db-instance-id"]
		default:
			list, next, err = scanPage(tx, sc.Prefix(kindInstance), from, size, func(inst *instanceRec) bool { return instanceMatches(f, sc, inst) })
			return err
		}
		for _, ident := range lookups {
			inst, err := findInstance(tx, sc, ident)
			if err != nil {
				return err
			}
			if inst != nil && !slices.ContainsFunc(candidates, func(c *instanceRec) bool { return c.ID == inst.ID }) {
				candidates = append(candidates, inst)
			}
		}
		candidates = slices.DeleteFunc(candidates, func(inst *instanceRec) bool { return !instanceMatches(f, sc, inst) })
		list, next = pageOf(candidates, func(i *instanceRec) string { return i.ID }, from, size)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &rdsapi.DBInstanceMessage{DBInstances: make([]rdsapi.DBInstance, 0, len(list)), Marker: optStr(next)}
	for _, inst := range list {
		out.DBInstances = append(out.DBInstances, s.instanceOut(sc, inst, now))
	}
	return out, nil
}

var snapshotTypes = []string{snapshotAutomated, snapshotManual, "shared", "public", "awsbackup"}

func (s *Service) describeDBSnapshots(ctx context.Context, in *rdsapi.DescribeDBSnapshotsMessage) (*rdsapi.DBSnapshotMessage, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	f, err := parseFilters(in.Filters, "db-instance-id", "db-snapshot-id", "dbi-resource-id", "snapshot-type", "engine")
	if err != nil {
		return nil, err
	}
	typ := strings.ToLower(deref(in.SnapshotType))
	if typ != "" && !slices.Contains(snapshotTypes, typ) {
		return nil, invalidValue("Invalid snapshot type: %s. Valid values: %s", deref(in.SnapshotType), strings.Join(snapshotTypes, ", "))
	}
	size, from, err := pageArgs(in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	instID := strings.ToLower(deref(in.DBInstanceIdentifier))
	if arn.IsARN(instID) {
		instID = instID[strings.LastIndex(instID, ":")+1:]
	}
	keep := func(snap *snapshotRec) bool {
		if typ == "" && snap.Type != snapshotManual && snap.Type != snapshotAutomated || typ != "" && snap.Type != typ {
			return false
		}
		if instID != "" && snap.InstanceID != instID || in.DbiResourceId != nil && snap.ResourceID != *in.DbiResourceId {
			return false
		}
		return f.match("db-instance-id", snap.InstanceID, instanceARN(partitionOf(sc.Region), sc.Region, sc.Account, snap.InstanceID)) &&
			f.match("db-snapshot-id", snap.ID, snapshotARN(partitionOf(sc.Region), sc.Region, sc.Account, snap.ID)) &&
			f.match("dbi-resource-id", snap.ResourceID) && f.match("snapshot-type", snap.Type) && f.match("engine", snap.Engine)
	}
	var list []*snapshotRec
	next := ""
	err = s.st.View(func(tx store.Tx) error {
		if in.DBSnapshotIdentifier == nil {
			var err error
			if instID != "" {
				list, next, err = indexed(tx, sc, sc.Prefix(kindSnapInst, instID), kindSnapshot, from, size, keep)
			} else {
				list, next, err = scanPage(tx, sc.Prefix(kindSnapshot), from, size, keep)
			}
			return err
		}
		snap, _, err := findSnapshot(tx, req.Account, req.Region, *in.DBSnapshotIdentifier, false)
		if err != nil {
			return err
		}
		if snap == nil {
			return snapshotNotFound(*in.DBSnapshotIdentifier)
		}
		if typ == "" || snap.Type == typ {
			list = []*snapshotRec{snap}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &rdsapi.DBSnapshotMessage{DBSnapshots: make([]rdsapi.DBSnapshot, 0, len(list)), Marker: optStr(next)}
	for _, snap := range list {
		out.DBSnapshots = append(out.DBSnapshots, snapshotOut(sc, snap))
	}
	return out, nil
}

// backupByARN finds an automated backup by its ARN, in the caller's account and Region.
func backupByARN(tx store.Tx, sc store.Scope, ident string) (*backupRec, error) {
	a, err := arn.Parse(ident)
	if err != nil || a.Service != serviceName || !strings.HasPrefix(a.Resource, "auto-backup:") {
		return nil, invalidValue("The parameter DBInstanceAutomatedBackupsArn is not a valid ARN: %s", ident)
	}
	if a.Region != sc.Region || a.Account != sc.Account {
		return nil, nil
	}
	return backupByID(tx, sc, strings.TrimPrefix(a.Resource, "auto-backup:"))
}

func (s *Service) describeDBInstanceAutomatedBackups(ctx context.Context, in *rdsapi.DescribeDBInstanceAutomatedBackupsMessage) (*rdsapi.DBInstanceAutomatedBackupMessage, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	f, err := parseFilters(in.Filters, "status", "db-instance-id", "dbi-resource-id")
	if err != nil {
		return nil, err
	}
	size, from, err := pageArgs(in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	instID := strings.ToLower(deref(in.DBInstanceIdentifier))
	keep := func(b *backupRec) bool {
		return (instID == "" || b.InstanceID == instID) && f.match("status", b.Status) &&
			f.match("db-instance-id", b.InstanceID, b.SourceARN) && f.match("dbi-resource-id", b.ResourceID)
	}
	now := s.clock.Now()
	var list []*backupRec
	next := ""
	err = s.st.View(func(tx store.Tx) error {
		var b *backupRec
		var err error
		switch {
		case in.DBInstanceAutomatedBackupsArn != nil:
			if b, err = backupByARN(tx, sc, *in.DBInstanceAutomatedBackupsArn); err == nil && b == nil {
				err = autoBackupNotFound(*in.DBInstanceAutomatedBackupsArn)
			}
		case in.DbiResourceId != nil:
			if b, err = getBackup(tx, sc, *in.DbiResourceId); err == nil && b == nil {
				err = autoBackupNotFound(*in.DbiResourceId)
			}
		case instID != "":
			list, next, err = indexed(tx, sc, sc.Prefix(kindBackupInst, instID), kindBackup, from, size, keep)
			if err == nil && len(list) == 0 && from == "" {
				err = autoBackupNotFound("of DB instance " + instID)
			}
			return err
		default:
			list, next, err = scanPage(tx, sc.Prefix(kindBackup), from, size, keep)
			return err
		}
		if err != nil {
			return err
		}
		if keep(b) {
			list = []*backupRec{b}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &rdsapi.DBInstanceAutomatedBackupMessage{DBInstanceAutomatedBackups: make([]rdsapi.DBInstanceAutomatedBackup, 0, len(list)), Marker: optStr(next)}
	for _, b := range list {
		out.DBInstanceAutomatedBackups = append(out.DBInstanceAutomatedBackups, s.backupOut(sc, b, now))
	}
	return out, nil
}

func (s *Service) deleteDBInstanceAutomatedBackup(ctx context.Context, in *rdsapi.DeleteDBInstanceAutomatedBackupMessage) (*rdsapi.DeleteDBInstanceAutomatedBackupResult, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	if in.DbiResourceId == nil && in.DBInstanceAutomatedBackupsArn == nil {
		return nil, invalidCombination("Either DbiResourceId or DBInstanceAutomatedBackupsArn must be specified.")
	}
	now := s.clock.Now()
	var out rdsapi.DBInstanceAutomatedBackup
	err := s.st.Update(func(tx store.Tx) error {
		var b *backupRec
		var err error
		what := deref(in.DBInstanceAutomatedBackupsArn)
		if in.DBInstanceAutomatedBackupsArn != nil {
			b, err = backupByARN(tx, sc, what)
		} else {
			what = *in.DbiResourceId
			b, err = getBackup(tx, sc, what)
		}
		if err != nil {
			return err
		}
		if b == nil || in.DbiResourceId != nil && b.ResourceID != *in.DbiResourceId {
			return autoBackupNotFound(what)
		}
		if b.Status != backupRetained {
			return rdsapi.ErrInvalidDBInstanceAutomatedBackupStateFault.New(
				"The automated backup %s can't be deleted while it is %s: only retained automated backups can be deleted.", what, b.Status)
		}
		out = s.backupOut(sc, b, now)
		out.Status, out.RestoreWindow = str("deleting"), &rdsapi.RestoreWindow{}
		return s.dropBackup(tx, sc, b)
	})
	if err != nil {
		return nil, err
	}
	return &rdsapi.DeleteDBInstanceAutomatedBackupResult{DBInstanceAutomatedBackup: &out}, nil
}
