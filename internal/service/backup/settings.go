package backup

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// optInDefaults are the resource types of the Region setting ResourceTypeOptInPreference,
// as AWS lists them, and whether a Region protects each before its user says: AWS turns
// on the established types and leaves Aurora, FSx and the types added since off.
// DescribeRegionSettings answers every one of them, as AWS does (Terraform's
// aws_backup_region_settings therefore names them all).
var optInDefaults = map[string]bool{
	"Aurora": false, "CloudFormation": false, "DocumentDB": true, "DSQL": false, typeDynamoDB: true, typeEBS: true,
	"EC2": true, typeEFS: true, "EKS": false, "FSx": false, "Neptune": true, typeRDS: true, "Redshift": false,
	"Redshift Serverless": false, "S3": false, "SAP HANA on Amazon EC2": false, "Storage Gateway": true,
	"Timestream": false, "VirtualMachine": true,
}

// regionSettings are AWS Backup's settings of one account and Region: only what the
// user set; the rest is the defaults.
type regionSettings struct {
	OptIn   map[string]bool `json:"optIn,omitempty"`
	Managed map[string]bool `json:"managed,omitempty"`
}

// globalSettings are AWS Backup's settings of one account (AWS's are an organization's).
type globalSettings struct {
	Values  map[string]string `json:"values,omitempty"`
	Updated *time.Time        `json:"updated,omitempty"`
}

// The settings records: one per Region, and the account's global ones under the Region
// "global", as IAM files its records.
var (
	settingsOfRegion = kit.Table[regionSettings]{Kind: "settings"} // settings/region
	settingsOfAll    = kit.Table[globalSettings]{Kind: "settings"} // settings/global, in the Region "global"
)

const globalRegion = "global"

// The global settings AWS Backup has, and their defaults. Cross-account backup is off
// until the account turns it on, as in an organization that has not.
const settingCrossAccount = "isCrossAccountBackupEnabled"

var globalDefaults = map[string]string{settingCrossAccount: "false", "isMpaEnabled": "false", "isDelegatedAdministratorEnabled": "false"}

// optedIn reports whether backup plans protect resourceType in the Region.
func (s *regionSettings) optedIn(resourceType string) bool {
	if s != nil {
		if on, set := s.OptIn[resourceType]; set {
			return on
		}
	}
	return optInDefaults[resourceType]
}

// managed reports whether AWS Backup fully manages resourceType in the Region (for
// DynamoDB: advanced backup).
func (s *regionSettings) managed(resourceType string) bool {
	if s != nil {
		if on, set := s.Managed[resourceType]; set {
			return on
		}
	}
	def := typeRules[resourceType].Managed
	return def != nil && *def
}

// settingsIn reads the Region settings of a view (nil: the defaults).
func settingsIn(v kit.View) (*regionSettings, error) { return settingsOfRegion.Get(v, "region") }

// crossAccountEnabled reports whether an account has turned cross-account backup on.
func crossAccountEnabled(tx kit.Tx, account string) (bool, error) {
	g, err := settingsOfAll.Get(tx.In(account, globalRegion), globalRegion)
	if err != nil || g == nil {
		return false, err
	}
	return g.Values[settingCrossAccount] == "true", nil
}

func (s *Service) DescribeRegionSettings(ctx context.Context, _ *backupapi.DescribeRegionSettingsInput) (*backupapi.DescribeRegionSettingsOutput, error) {
	c := s.Call(ctx)
	set, err := kit.Read(s.Kit, func(tx kit.Tx) (*regionSettings, error) { return settingsIn(c.In(tx)) })
	if err != nil {
		return nil, err
	}
	out := &backupapi.DescribeRegionSettingsOutput{ResourceTypeOptInPreference: map[string]bool{}, ResourceTypeManagementPreference: map[string]bool{}}
	for t := range optInDefaults {
		out.ResourceTypeOptInPreference[t] = set.optedIn(t)
	}
	for t, rule := range typeRules {
		if rule.Managed != nil {
			out.ResourceTypeManagementPreference[t] = set.managed(t)
		}
	}
	return out, nil
}

// checkRegionSettings refuses a resource type AWS Backup does not have.
func checkRegionSettings(in *backupapi.UpdateRegionSettingsInput) error {
	for _, t := range slices.Sorted(maps.Keys(in.ResourceTypeOptInPreference)) {
		if _, ok := optInDefaults[t]; !ok {
			return msgUnknownResourceType.New(t)
		}
	}
	for _, t := range slices.Sorted(maps.Keys(in.ResourceTypeManagementPreference)) {
		if typeRules[t].Managed == nil {
			return msgNotManageable.New(t)
		}
	}
	return nil
}

func (s *Service) UpdateRegionSettings(ctx context.Context, in *backupapi.UpdateRegionSettingsInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	if err := checkRegionSettings(in); err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		set, err := settingsIn(v)
		if err != nil {
			return nil, err
		}
		if set == nil {
			set = &regionSettings{}
		}
		// The maps are merged: a type the request leaves out keeps its setting, as AWS
		// keeps it.
		set.OptIn = merged(set.OptIn, in.ResourceTypeOptInPreference)
		set.Managed = merged(set.Managed, in.ResourceTypeManagementPreference)
		return &awsmodel.Empty{}, settingsOfRegion.Put(v, set, "region")
	})
}

func merged[V any](old, changes map[string]V) map[string]V {
	if len(changes) == 0 {
		return old
	}
	out := maps.Clone(old)
	if out == nil {
		out = map[string]V{}
	}
	maps.Copy(out, changes)
	return out
}

func (s *Service) DescribeGlobalSettings(ctx context.Context, _ *backupapi.DescribeGlobalSettingsInput) (*backupapi.DescribeGlobalSettingsOutput, error) {
	c := s.Call(ctx)
	g, err := kit.Read(s.Kit, func(tx kit.Tx) (*globalSettings, error) {
		return settingsOfAll.Get(tx.In(c.Account, globalRegion), globalRegion)
	})
	if err != nil {
		return nil, err
	}
	// AWS answers isCrossAccountBackupEnabled always, and the other settings once set
	// (Terraform's aws_backup_global_settings compares the whole map with its own).
	out := &backupapi.DescribeGlobalSettingsOutput{GlobalSettings: map[string]string{settingCrossAccount: globalDefaults[settingCrossAccount]}}
	if g != nil {
		maps.Copy(out.GlobalSettings, g.Values)
		out.LastUpdateTime = g.Updated
	}
	return out, nil
}

// checkGlobalSettings refuses a setting AWS Backup does not have, or a value that is not
// "true" or "false".
func checkGlobalSettings(in *backupapi.UpdateGlobalSettingsInput) error {
	for _, k := range slices.Sorted(maps.Keys(in.GlobalSettings)) {
		if _, ok := globalDefaults[k]; !ok {
			return msgUnknownSetting.New(k)
		}
		if v := in.GlobalSettings[k]; v != "true" && v != "false" {
			return msgBadSettingValue.New(v, k)
		}
	}
	return nil
}

func (s *Service) UpdateGlobalSettings(ctx context.Context, in *backupapi.UpdateGlobalSettingsInput) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	if err := checkGlobalSettings(in); err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := tx.In(c.Account, globalRegion)
		g, err := settingsOfAll.Get(v, globalRegion)
		if err != nil {
			return nil, err
		}
		if g == nil {
			g = &globalSettings{}
		}
		g.Values, g.Updated = merged(g.Values, in.GlobalSettings), new(c.Now())
		return &awsmodel.Empty{}, settingsOfAll.Put(v, g, globalRegion)
	})
}
