package rds

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
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
			Engine: str(e.Name), EngineVersion: str(t.Version), Description: str(versionDescription(e, t)),
			AutoUpgrade: boolp(false), IsMajorVersionUpgrade: boolp(major), SupportedEngineModes: []string{"provisioned"},
			SupportsParallelQuery: boolp(false), SupportsGlobalDatabases: boolp(false), SupportsBabelfish: boolp(false),
			SupportsLimitlessDatabase: boolp(false), SupportsLocalWriteForwarding: boolp(false), SupportsIntegrations: boolp(false),
		})
	}
	return out
}

type versionEntry struct {
	e   *engine
	v   engineVersion
	pos string
}

func (s *Service) describeDBEngineVersions(ctx context.Context, in *rdsapi.DescribeDBEngineVersionsMessage) (*rdsapi.DBEngineVersionMessage, error) {
	f, err := parseFilters(in.Filters, "engine", "engine-version", "db-parameter-group-family", "status", "engine-mode")
	if err != nil {
		return nil, err
	}
	size, from, err := pageArgs(in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	var list []*versionEntry
	for ei, name := range engineNames {
		e := engines[name]
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
	page, next := pageOf(list, func(x *versionEntry) string { return x.pos }, from, size)
	out := &rdsapi.DBEngineVersionMessage{DBEngineVersions: []rdsapi.DBEngineVersion{}, Marker: optStr(next)}
	for _, x := range page {
		out.DBEngineVersions = append(out.DBEngineVersions, rdsapi.DBEngineVersion{
			Engine: str(x.e.Name), EngineVersion: str(x.v.Version), DBParameterGroupFamily: str(x.v.Family),
			DBEngineDescription: str(x.e.Description), DBEngineVersionDescription: str(versionDescription(x.e, x.v)),
			ValidUpgradeTarget: upgradeTargets(x.e, x.v), ExportableLogTypes: x.e.LogTypes,
			SupportsLogExportsToCloudwatchLogs: boolp(true), SupportsReadReplica: boolp(true),
			SupportedEngineModes: []string{"provisioned"}, SupportedFeatureNames: []string{}, Status: str("available"),
			SupportsParallelQuery: boolp(false), SupportsGlobalDatabases: boolp(false), MajorEngineVersion: str(x.v.Major),
			SupportsBabelfish: boolp(false), SupportsLimitlessDatabase: boolp(false),
			SupportsCertificateRotationWithoutRestart: boolp(true), SupportedCACertificateIdentifiers: caCertificates,
			SupportsLocalWriteForwarding: boolp(false), SupportsIntegrations: boolp(false),
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
}

func (s *Service) describeOrderableDBInstanceOptions(ctx context.Context, in *rdsapi.DescribeOrderableDBInstanceOptionsMessage) (*rdsapi.OrderableDBInstanceOptionsMessage, error) {
	req := request.From(ctx)
	if len(in.Filters) > 0 {
		return nil, invalidValue("DescribeOrderableDBInstanceOptions does not support filters.")
	}
	size, err := pageSize(in.MaxRecords, 20, 1000, 100)
	if err != nil {
		return nil, err
	}
	marker, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	start := 0
	if marker != "" {
		if start, err = strconv.Atoi(marker); err != nil || start < 0 {
			return nil, invalidValue("The parameter Marker is not valid: %s", deref(in.Marker))
		}
	}
	e, ok := engines[strings.ToLower(deref(in.Engine))]
	var all []orderable
	if ok && (in.Vpc == nil || *in.Vpc) && in.AvailabilityZoneGroup == nil {
		types := make([]string, 0, len(e.Storage))
		for t := range e.Storage {
			types = append(types, t)
		}
		slices.Sort(types)
		for _, v := range e.Versions {
			if in.EngineVersion != nil && *in.EngineVersion != v.Version {
				continue
			}
			for _, c := range e.Classes {
				if in.DBInstanceClass != nil && *in.DBInstanceClass != c {
					continue
				}
				for _, l := range e.Licenses {
					if in.LicenseModel != nil && *in.LicenseModel != l {
						continue
					}
					for _, t := range types {
						all = append(all, orderable{e, v, c, l, t, e.Storage[t]})
					}
				}
			}
		}
	}
	out := &rdsapi.OrderableDBInstanceOptionsMessage{OrderableDBInstanceOptions: []rdsapi.OrderableDBInstanceOption{}}
	zs := []rdsapi.AvailabilityZone{}
	for _, z := range zones(req.Region) {
		zs = append(zs, rdsapi.AvailabilityZone{Name: str(z)})
	}
	for i := start; i < len(all) && i < start+size; i++ {
		o := all[i]
		opt := rdsapi.OrderableDBInstanceOption{
			Engine: str(o.e.Name), EngineVersion: str(o.v.Version), DBInstanceClass: str(o.class), LicenseModel: str(o.license),
			AvailabilityZones: zs, MultiAZCapable: boolp(o.e.MultiAZ), ReadReplicaCapable: boolp(true), Vpc: boolp(true),
			SupportsStorageEncryption: boolp(o.e.Encryption), StorageType: str(o.storage),
			SupportsIops:                      boolp(o.storage == "io1" || o.storage == "io2" || o.storage == "gp3"),
			SupportsEnhancedMonitoring:        boolp(true),
			SupportsIAMDatabaseAuthentication: boolp(o.e.Name == "postgres" || o.e.Name == "mysql" || o.e.Name == "mariadb"),
			SupportsPerformanceInsights:       boolp(!strings.HasSuffix(o.class, ".micro") && !strings.HasSuffix(o.class, ".small")),
			MinStorageSize:                    i64(o.limits.Min), MaxStorageSize: i64(o.limits.Max),
			SupportedEngineModes: []string{"provisioned"}, SupportsStorageAutoscaling: boolp(true),
			SupportsKerberosAuthentication: boolp(false), OutpostCapable: boolp(false), SupportedActivityStreamModes: []string{},
			SupportsGlobalDatabases: boolp(false), SupportsClusters: boolp(false), SupportedNetworkTypes: []string{"IPV4"},
			SupportsStorageThroughput: boolp(o.storage == "gp3"), SupportsDedicatedLogVolume: boolp(false),
		}
		switch o.storage {
		case "io1", "io2":
			opt.MinIopsPerDbInstance, opt.MaxIopsPerDbInstance = i64(1000), i64(256000)
			half, fifty := 0.5, 50.0
			opt.MinIopsPerGib, opt.MaxIopsPerGib = &half, &fifty
		case "gp3":
			opt.MinIopsPerDbInstance, opt.MaxIopsPerDbInstance = i64(3000), i64(64000)
			opt.MinStorageThroughputPerDbInstance, opt.MaxStorageThroughputPerDbInstance = i64(125), i64(4000)
		}
		out.OrderableDBInstanceOptions = append(out.OrderableDBInstanceOptions, opt)
	}
	if start+size < len(all) {
		out.Marker = str(encodeMarker(strconv.Itoa(start + size)))
	}
	return out, nil
}

// describeSourceRegions lists the Regions whose instances can replicate automated
// backups into the caller's Region: here every other Region of its partition.
func (s *Service) describeSourceRegions(ctx context.Context, in *rdsapi.DescribeSourceRegionsMessage) (*rdsapi.SourceRegionMessage, error) {
	req := request.From(ctx)
	f, err := parseFilters(in.Filters, "region-name")
	if err != nil {
		return nil, err
	}
	size, from, err := pageArgs(in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	var list []*string
	for _, r := range regions.InPartition(partitionOf(req.Region)) {
		if r == req.Region || in.RegionName != nil && *in.RegionName != r || !f.match("region-name", r) {
			continue
		}
		list = append(list, str(r))
	}
	page, next := pageOf(list, func(r *string) string { return *r }, from, size)
	out := &rdsapi.SourceRegionMessage{SourceRegions: []rdsapi.SourceRegion{}, Marker: optStr(next)}
	for _, r := range page {
		out.SourceRegions = append(out.SourceRegions, rdsapi.SourceRegion{
			RegionName: r, Endpoint: str("https://rds." + *r + ".amazonaws.com"), Status: str("available"),
			SupportsDBInstanceAutomatedBackupsReplication: boolp(true),
		})
	}
	return out, nil
}

func (s *Service) describeAccountAttributes(ctx context.Context, _ *rdsapi.DescribeAccountAttributesMessage) (*rdsapi.AccountAttributesMessage, error) {
	req := request.From(ctx)
	sc := scopeOf(req.Account, req.Region)
	var instances, storage, manual int64
	err := s.st.View(func(tx store.Tx) error {
		var err error
		if instances, err = getCount(tx, sc, countInstance); err != nil {
			return err
		}
		if storage, err = getCount(tx, sc, countStorage); err != nil {
			return err
		}
		manual, err = getCount(tx, sc, countManual)
		return err
	})
	if err != nil {
		return nil, err
	}
	const gib = 1 << 30
	return &rdsapi.AccountAttributesMessage{AccountQuotas: []rdsapi.AccountQuota{
		{AccountQuotaName: str("DBInstances"), Used: i64(instances), Max: i64(quotaInstances)},
		{AccountQuotaName: str("AllocatedStorage"), Used: i64(storage * gib), Max: i64(quotaStorageGiB * gib)},
		{AccountQuotaName: str("ManualSnapshots"), Used: i64(manual), Max: i64(quotaManual)},
	}}, nil
}
