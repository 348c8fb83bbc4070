package rds

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

// versionDescription is how RDS describes an engine version ("PostgreSQL 13.4-R1").
func versionDescription(e *engine, v engineVersion) string {
	if e.Name == "postgres" || e.Name == "mysql" || e.Name == "mariadb" {
		return e.Description + " " + v.Version + "-R1"
	}
	return e.Description + " " + v.Version
}

func upgradeTargets(e *engine, v engineVersion) []rdsapi.UpgradeTarget {
	out := []rdsapi.UpgradeTarget{}
	for _, t := range e.Versions {
		if !versionLess(v.Version, t.Version) {
			continue
		}
		major := t.Major != v.Major
		out = append(out, rdsapi.UpgradeTarget{
			Engine: new(e.Name), EngineVersion: new(t.Version), Description: new(versionDescription(e, t)),
			AutoUpgrade: new(false), IsMajorVersionUpgrade: new(major), SupportedEngineModes: []string{"provisioned"},
			SupportsParallelQuery: new(false), SupportsGlobalDatabases: new(false), SupportsBabelfish: new(false),
			SupportsLimitlessDatabase: new(false), SupportsLocalWriteForwarding: new(false), SupportsIntegrations: new(false),
		})
	}
	return out
}

type versionEntry struct {
	e   *engine
	v   engineVersion
	pos string
}

func (s *Service) DescribeDBEngineVersions(ctx context.Context, in *rdsapi.DescribeDBEngineVersionsMessage) (*rdsapi.DBEngineVersionMessage, error) {
	c := s.Call(ctx)
	f, err := parseFilters(in.Filters, "engine", "engine-version", "db-parameter-group-family", "status", "engine-mode")
	if err != nil {
		return nil, err
	}
	pg, err := s.describePage(c, "DescribeDBEngineVersions", in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	var list []*versionEntry
	for ei, name := range engineNames() {
		e := engines()[name]
		if in.Engine != nil && !strings.EqualFold(*in.Engine, name) {
			continue
		}
		var matched []engineVersion
		for _, v := range e.Versions {
			if in.EngineVersion != nil && *in.EngineVersion != v.Version && *in.EngineVersion != v.Major {
				continue
			}
			if in.DBParameterGroupFamily != nil && !strings.EqualFold(*in.DBParameterGroupFamily, v.Family) {
				continue
			}
			if !f.match("engine", name) || !f.match("engine-version", v.Version, v.Major) ||
				!f.match("db-parameter-group-family", v.Family) || !f.match("status", "available") || !f.match("engine-mode", "provisioned") {
				continue
			}
			matched = append(matched, v)
		}
		if deref(in.DefaultOnly) && len(matched) > 0 {
			// The engine's default, or, when a major version narrows the list, its latest.
			def := matched[len(matched)-1]
			for _, v := range matched {
				if v.Default {
					def = v
				}
			}
			matched = []engineVersion{def}
		}
		for vi, v := range matched {
			list = append(list, &versionEntry{e: e, v: v, pos: fmt.Sprintf("%04d/%04d", ei, vi)})
		}
	}
	page, next := cut(pg, list, func(x *versionEntry) string { return x.pos })
	out := &rdsapi.DBEngineVersionMessage{DBEngineVersions: []rdsapi.DBEngineVersion{}, Marker: next}
	for _, x := range page {
		out.DBEngineVersions = append(out.DBEngineVersions, rdsapi.DBEngineVersion{
			Engine: new(x.e.Name), EngineVersion: new(x.v.Version), DBParameterGroupFamily: new(x.v.Family),
			DBEngineDescription: new(x.e.Description), DBEngineVersionDescription: new(versionDescription(x.e, x.v)),
			ValidUpgradeTarget: upgradeTargets(x.e, x.v), ExportableLogTypes: x.e.LogTypes,
			SupportsLogExportsToCloudwatchLogs: new(true), SupportsReadReplica: new(true),
			SupportedEngineModes: []string{"provisioned"}, SupportedFeatureNames: []string{}, Status: new("available"),
			SupportsParallelQuery: new(false), SupportsGlobalDatabases: new(false), MajorEngineVersion: new(x.v.Major),
			SupportsBabelfish: new(false), SupportsLimitlessDatabase: new(false),
			SupportsCertificateRotationWithoutRestart: new(true), SupportedCACertificateIdentifiers: caCertificates,
			SupportsLocalWriteForwarding: new(false), SupportsIntegrations: new(false),
		})
	}
	return out, nil
}

type orderable struct {
	e       *engine
	v       engineVersion
	class   string
	license string
	storage string
	limits  storageRange
	pos     string // its place in the list, for markers
}

func (s *Service) DescribeOrderableDBInstanceOptions(ctx context.Context, in *rdsapi.DescribeOrderableDBInstanceOptionsMessage) (*rdsapi.OrderableDBInstanceOptionsMessage, error) {
	c := s.Call(ctx)
	if len(in.Filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	pg, err := s.openPage(kit.List{Op: "DescribeOrderableDBInstanceOptions", Account: c.Account, Region: c.Region}, in.MaxRecords, in.Marker, 20, 1000, 100)
	if err != nil {
		return nil, err
	}
	page, next := cut(pg, orderableOptions(in), func(o orderable) string { return o.pos })
	out := &rdsapi.OrderableDBInstanceOptionsMessage{OrderableDBInstanceOptions: []rdsapi.OrderableDBInstanceOption{}, Marker: next}
	zs := []rdsapi.AvailabilityZone{}
	for _, z := range zones(c.Region) {
		zs = append(zs, rdsapi.AvailabilityZone{Name: new(z)})
	}
	for _, o := range page {
		out.OrderableDBInstanceOptions = append(out.OrderableDBInstanceOptions, orderableOut(o, zs))
	}
	return out, nil
}

// orderableOptions lists the combinations of the engine a request names that it asks
// for, in a stable order: by version, class, licence and storage type.
func orderableOptions(in *rdsapi.DescribeOrderableDBInstanceOptionsMessage) []orderable {
	e, ok := engines()[strings.ToLower(deref(in.Engine))]
	if !ok || in.Vpc != nil && !*in.Vpc || in.AvailabilityZoneGroup != nil {
		return nil
	}
	types := make([]string, 0, len(e.Storage))
	for t := range e.Storage {
		types = append(types, t)
	}
	slices.Sort(types)
	var all []orderable
	for _, v := range e.Versions {
		if in.EngineVersion != nil && *in.EngineVersion != v.Version {
			continue
		}
		for _, c := range e.Classes {
			if in.DBInstanceClass != nil && *in.DBInstanceClass != c || !e.offers(c, v) {
				continue
			}
			for _, l := range e.Licenses {
				if in.LicenseModel != nil && *in.LicenseModel != l {
					continue
				}
				for _, t := range types {
					all = append(all, orderable{e: e, v: v, class: c, license: l, storage: t, limits: e.Storage[t], pos: fmt.Sprintf("%08d", len(all))})
				}
			}
		}
	}
	return all
}

func orderableOut(o orderable, zs []rdsapi.AvailabilityZone) rdsapi.OrderableDBInstanceOption {
	opt := rdsapi.OrderableDBInstanceOption{
		Engine: new(o.e.Name), EngineVersion: new(o.v.Version), DBInstanceClass: new(o.class), LicenseModel: new(o.license),
		AvailabilityZones: zs, MultiAZCapable: new(o.e.MultiAZ), ReadReplicaCapable: new(true), Vpc: new(true),
		SupportsStorageEncryption: new(o.e.Encryption), StorageType: new(o.storage),
		SupportsIops:                      new(o.storage == "io1" || o.storage == "io2" || o.storage == "gp3"),
		SupportsEnhancedMonitoring:        new(true),
		SupportsIAMDatabaseAuthentication: new(o.e.Name == "postgres" || o.e.Name == "mysql" || o.e.Name == "mariadb"),
		SupportsPerformanceInsights:       new(!strings.HasSuffix(o.class, ".micro") && !strings.HasSuffix(o.class, ".small")),
		MinStorageSize:                    new(o.limits.Min), MaxStorageSize: new(o.limits.Max),
		SupportedEngineModes: []string{"provisioned"}, SupportsStorageAutoscaling: new(true),
		SupportsKerberosAuthentication: new(false), OutpostCapable: new(false), SupportedActivityStreamModes: []string{},
		SupportsGlobalDatabases: new(false), SupportsClusters: new(false), SupportedNetworkTypes: []string{"IPV4"},
		SupportsStorageThroughput: new(o.storage == "gp3"), SupportsDedicatedLogVolume: new(false),
	}
	switch o.storage {
	case "io1", "io2":
		opt.MinIopsPerDbInstance, opt.MaxIopsPerDbInstance = new(int64(1000)), new(int64(256000))
		opt.MinIopsPerGib, opt.MaxIopsPerGib = new(0.5), new(50.0)
	case "gp3":
		opt.MinIopsPerDbInstance, opt.MaxIopsPerDbInstance = new(int64(3000)), new(int64(64000))
		opt.MinStorageThroughputPerDbInstance, opt.MaxStorageThroughputPerDbInstance = new(int64(125)), new(int64(4000))
	}
	return opt
}

// DescribeSourceRegions lists the Regions whose instances can replicate automated
// backups into the caller's Region: here every other Region of its partition.
func (s *Service) DescribeSourceRegions(ctx context.Context, in *rdsapi.DescribeSourceRegionsMessage) (*rdsapi.SourceRegionMessage, error) {
	c := s.Call(ctx)
	f, err := parseFilters(in.Filters, "region-name")
	if err != nil {
		return nil, err
	}
	pg, err := s.describePage(c, "DescribeSourceRegions", in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	var list []*string
	for _, r := range regions.InPartition(partitionOf(c.Region)) {
		if r == c.Region || in.RegionName != nil && *in.RegionName != r || !f.match("region-name", r) {
			continue
		}
		list = append(list, new(r))
	}
	page, next := sortedCut(pg, list, func(r *string) string { return *r })
	out := &rdsapi.SourceRegionMessage{SourceRegions: []rdsapi.SourceRegion{}, Marker: next}
	for _, r := range page {
		out.SourceRegions = append(out.SourceRegions, rdsapi.SourceRegion{
			RegionName: r, Endpoint: new("https://rds." + *r + ".amazonaws.com"), Status: new("available"),
			SupportsDBInstanceAutomatedBackupsReplication: new(true),
		})
	}
	return out, nil
}

func (s *Service) DescribeAccountAttributes(ctx context.Context, _ *rdsapi.DescribeAccountAttributesMessage) (*rdsapi.AccountAttributesMessage, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.AccountAttributesMessage, error) {
		v := c.In(tx)
		quotas := []struct {
			name        string
			counter     string
			max, factor int64
		}{
			{"DBInstances", countInstance, quotaInstances, 1},
			{"AllocatedStorage", countStorage, quotaStorageGiB, 1 << 30},
			{"ManualSnapshots", countManual, quotaManual, 1},
		}
		out := &rdsapi.AccountAttributesMessage{}
		for _, q := range quotas {
			used, err := getCount(v, q.counter)
			if err != nil {
				return nil, err
			}
			out.AccountQuotas = append(out.AccountQuotas, rdsapi.AccountQuota{AccountQuotaName: new(q.name), Used: new(used * q.factor), Max: new(q.max * q.factor)})
		}
		return out, nil
	})
}
