package rds

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Option groups of an engine's major version. The default:<engine>-<major> groups exist
// in every Region without being created and hold no options; a group a user creates is
// stored with its options. xregion runs no database engine, so an option a group gains or
// loses is in effect at once on the instances that use it: their membership stays
// in-sync.

const (
	quotaOptionGroups   = 20 // option groups per Region (RDS User Guide, "Quotas in Amazon RDS")
	maxOptionGroupName  = 255
	countOptionGroups   = "option-groups"
	securityGroupActive = "active"
)

// optionGroupRec is an option group a user created.
type optionGroupRec struct {
	Name        string      `json:"name"`
	Engine      string      `json:"engine"`
	Major       string      `json:"major"`
	Description string      `json:"description"`
	Options     []optionRec `json:"options,omitempty"` // sorted by name
	Tags        []tagRec    `json:"tags,omitempty"`
	Default     bool        `json:"-"`
}

// optionRec is an option of a group, with the settings the user set.
type optionRec struct {
	Name     string            `json:"name"`
	Port     int64             `json:"port,omitempty"`
	Version  string            `json:"version,omitempty"`
	Settings map[string]string `json:"settings,omitempty"`
	VpcSGs   []string          `json:"vpcSgs,omitempty"`
}

var optionGroups = kit.Table[optionGroupRec]{Kind: "og"} // og/<name>

// findOptionGroup returns the group a request names, by name or ARN.
func findOptionGroup(v kit.View, name string) (*optionGroupRec, error) {
	id := strings.ToLower(name)
	if a, err := arn.Parse(name); err == nil {
		kind, rest, _ := strings.Cut(a.Resource, ":")
		if a.Service != serviceName || a.Account != v.Account() || a.Region != v.Region() || kind != "og" {
			return nil, msgOptionGroupNotFound.New(name)
		}
		id = strings.ToLower(rest)
	}
	if i := slices.IndexFunc(defaultOptionGroups(), func(g optionGroup) bool { return g.Name == id }); i >= 0 {
		d := defaultOptionGroups()[i]
		return &optionGroupRec{Name: d.Name, Engine: d.Engine, Major: d.Major, Description: textDefaultOptionGroup.with(d.Engine, d.Major), Default: true}, nil
	}
	g, err := optionGroups.Get(v, id)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, msgOptionGroupNotFound.New(name)
	}
	return g, nil
}

// checkOptionGroup checks the option group an instance of an engine version names, and
// returns its name as RDS keeps it.
func checkOptionGroup(v kit.View, e *engine, ver engineVersion, name string) (string, error) {
	g, err := findOptionGroup(v, name)
	if err != nil {
		return "", err
	}
	if g.Engine != e.Name || g.Major != ver.Major {
		return "", msgOptionGroupEngine.New(g.Name, e.Name, ver.Version)
	}
	return g.Name, nil
}

// newOptionGroupName checks the name of a group to create.
func newOptionGroupName(v kit.View, param, name string) (string, error) {
	if !validIdentifier(name, maxOptionGroupName) {
		return "", msgInvalidIdentifier.New(param)
	}
	id := strings.ToLower(name)
	if optionGroups.Has(v, id) {
		return "", msgOptionGroupExists.New(id)
	}
	return id, nil
}

func insertOptionGroup(v kit.View, g *optionGroupRec) error {
	n, err := getCount(v, countOptionGroups)
	if err != nil {
		return err
	}
	if n >= quotaOptionGroups {
		return msgOptionGroupQuota.New(quotaOptionGroups)
	}
	if err := addCount(v, countOptionGroups, 1); err != nil {
		return err
	}
	return optionGroups.Put(v, g, g.Name)
}

func (s *Service) CreateOptionGroup(ctx context.Context, in *rdsapi.CreateOptionGroupMessage) (*rdsapi.CreateOptionGroupResult, error) {
	c := s.Call(ctx)
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	e, err := lookupEngine(*in.EngineName)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(e.Versions, func(v engineVersion) bool { return v.Major == *in.MajorEngineVersion }) {
		return nil, msgOptionGroupMajor.New(*in.MajorEngineVersion, e.Name)
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CreateOptionGroupResult, error) {
		v := c.In(tx)
		id, err := newOptionGroupName(v, "OptionGroupName", *in.OptionGroupName)
		if err != nil {
			return nil, err
		}
		g := &optionGroupRec{Name: id, Engine: e.Name, Major: *in.MajorEngineVersion, Description: *in.OptionGroupDescription, Tags: tags}
		return &rdsapi.CreateOptionGroupResult{OptionGroup: new(optionGroupOut(c, g))}, insertOptionGroup(v, g)
	})
}

func (s *Service) CopyOptionGroup(ctx context.Context, in *rdsapi.CopyOptionGroupMessage) (*rdsapi.CopyOptionGroupResult, error) {
	c := s.Call(ctx)
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CopyOptionGroupResult, error) {
		v := c.In(tx)
		src, err := findOptionGroup(v, *in.SourceOptionGroupIdentifier)
		if err != nil {
			return nil, err
		}
		id, err := newOptionGroupName(v, "TargetOptionGroupIdentifier", *in.TargetOptionGroupIdentifier)
		if err != nil {
			return nil, err
		}
		g := &optionGroupRec{Name: id, Engine: src.Engine, Major: src.Major, Description: *in.TargetOptionGroupDescription, Options: slices.Clone(src.Options), Tags: tags}
		return &rdsapi.CopyOptionGroupResult{OptionGroup: new(optionGroupOut(c, g))}, insertOptionGroup(v, g)
	})
}

func (s *Service) ModifyOptionGroup(ctx context.Context, in *rdsapi.ModifyOptionGroupMessage) (*rdsapi.ModifyOptionGroupResult, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.ModifyOptionGroupResult, error) {
		v := c.In(tx)
		g, err := findOptionGroup(v, *in.OptionGroupName)
		if err != nil {
			return nil, err
		}
		if g.Default {
			return nil, msgModifyDefaultOptionGroup.New(g.Name)
		}
		options, err := removeOptions(g, in.OptionsToRemove)
		if err != nil {
			return nil, err
		}
		for _, conf := range in.OptionsToInclude {
			o, err := checkOption(g, conf)
			if err != nil {
				return nil, err
			}
			options = slices.DeleteFunc(options, func(have optionRec) bool { return have.Name == o.Name })
			options = append(options, o)
		}
		slices.SortFunc(options, func(a, b optionRec) int { return strings.Compare(a.Name, b.Name) })
		g.Options = options
		return &rdsapi.ModifyOptionGroupResult{OptionGroup: new(optionGroupOut(c, g))}, optionGroups.Put(v, g, g.Name)
	})
}

// removeOptions returns the group's options without those named; a permanent option
// cannot be removed.
func removeOptions(g *optionGroupRec, names []string) ([]optionRec, error) {
	options := slices.Clone(g.Options)
	for _, name := range names {
		i := slices.IndexFunc(options, func(o optionRec) bool { return o.Name == name })
		if i < 0 {
			return nil, msgOptionNotInGroup.New(name, g.Name)
		}
		if def, _ := optionOf(g.Engine, g.Major, name); def.Permanent {
			return nil, msgOptionPermanent.New(name)
		}
		options = slices.Delete(options, i, i+1)
	}
	return options, nil
}

// checkOption checks an option a ModifyOptionGroup request includes: it must be one of
// the group's engine version, with its version, its port when it needs one, and its
// settings with allowed values, the required ones present.
func checkOption(g *optionGroupRec, conf rdsapi.OptionConfiguration) (optionRec, error) {
	def, ok := optionOf(g.Engine, g.Major, deref(conf.OptionName))
	if !ok {
		return optionRec{}, msgOptionUnknown.New(deref(conf.OptionName), g.Engine, g.Major)
	}
	o := optionRec{Name: def.Name, Version: deref(conf.OptionVersion), VpcSGs: conf.VpcSecurityGroupMemberships}
	switch {
	case o.Version == "" && len(def.Versions) > 0:
		o.Version = def.Versions[len(def.Versions)-1]
	case o.Version != "" && !slices.Contains(def.Versions, o.Version):
		return optionRec{}, msgOptionVersion.New(o.Version, def.Name)
	}
	if def.PortRequired {
		o.Port = def.DefaultPort
		if conf.Port != nil {
			o.Port = *conf.Port
		}
	}
	for _, set := range conf.OptionSettings {
		sd, ok := def.setting(deref(set.Name))
		if !ok {
			return optionRec{}, msgOptionSettingUnknown.New(deref(set.Name), def.Name)
		}
		if !allowedValue(deref(set.Value), sd.Allowed, sd.valueType()) {
			return optionRec{}, msgOptionSettingValue.New(deref(set.Value), sd.Name, sd.Allowed)
		}
		if o.Settings == nil {
			o.Settings = map[string]string{}
		}
		o.Settings[sd.Name] = deref(set.Value)
	}
	for _, sd := range def.Settings {
		if _, ok := o.Settings[sd.Name]; sd.Required && !ok {
			return optionRec{}, msgOptionSettingRequired.New(def.Name, sd.Name)
		}
	}
	return o, nil
}

func (s *Service) DeleteOptionGroup(ctx context.Context, in *rdsapi.DeleteOptionGroupMessage) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*awsmodel.Empty, error) {
		v := c.In(tx)
		g, err := findOptionGroup(v, *in.OptionGroupName)
		if err != nil {
			return nil, err
		}
		if g.Default {
			return nil, msgDeleteDefaultOptionGroup.New()
		}
		if err := optionGroupUnused(v, g.Name); err != nil {
			return nil, err
		}
		if err := addCount(v, countOptionGroups, -1); err != nil {
			return nil, err
		}
		return &awsmodel.Empty{}, optionGroups.Delete(v, g.Name)
	})
}

// optionGroupUnused refuses the deletion of a group that an instance or a snapshot of the
// Region uses: a restore from the snapshot needs it.
func optionGroupUnused(v kit.View, name string) error {
	inUse := false
	if err := instances.Scan(v, func(inst *instanceRec) bool {
		inUse = inst.OptionGroup == name
		return !inUse
	}); err != nil || inUse {
		return firstErr(err, msgOptionGroupInUse.New(name))
	}
	if err := snapshots.Scan(v, func(snap *snapshotRec) bool {
		inUse = snap.OptionGroup == name
		return !inUse
	}); err != nil || inUse {
		return firstErr(err, msgOptionGroupInSnapshot.New(name))
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) DescribeOptionGroups(ctx context.Context, in *rdsapi.DescribeOptionGroupsMessage) (*rdsapi.OptionGroups, error) {
	c := s.Call(ctx)
	if len(in.Filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	if in.MajorEngineVersion != nil && in.EngineName == nil {
		return nil, msgMajorNeedsEngineName.New()
	}
	pg, err := s.describePage(c, "DescribeOptionGroups", in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.OptionGroups, error) {
		list, err := listOptionGroups(c.In(tx), in)
		if err != nil {
			return nil, err
		}
		page, next := cut(pg, list, func(g *optionGroupRec) string { return g.Name })
		out := &rdsapi.OptionGroups{OptionGroupsList: []rdsapi.OptionGroup{}, Marker: next}
		for _, g := range page {
			out.OptionGroupsList = append(out.OptionGroupsList, optionGroupOut(c, g))
		}
		return out, nil
	})
}

// listOptionGroups lists the default and stored groups a describe asks for, sorted by
// name; one named group that is not there is its NotFound fault.
func listOptionGroups(v kit.View, in *rdsapi.DescribeOptionGroupsMessage) ([]*optionGroupRec, error) {
	var all []*optionGroupRec
	if in.OptionGroupName != nil {
		g, err := findOptionGroup(v, *in.OptionGroupName)
		if err != nil {
			return nil, err
		}
		all = []*optionGroupRec{g}
	} else {
		for _, d := range defaultOptionGroups() {
			all = append(all, &optionGroupRec{Name: d.Name, Engine: d.Engine, Major: d.Major, Description: textDefaultOptionGroup.with(d.Engine, d.Major), Default: true})
		}
		stored, err := optionGroups.List(v)
		if err != nil {
			return nil, err
		}
		all = append(all, stored...)
		slices.SortFunc(all, func(a, b *optionGroupRec) int { return strings.Compare(a.Name, b.Name) })
	}
	return slices.DeleteFunc(all, func(g *optionGroupRec) bool {
		return (in.EngineName != nil && *in.EngineName != g.Engine) || (in.MajorEngineVersion != nil && *in.MajorEngineVersion != g.Major)
	}), nil
}

func (s *Service) DescribeOptionGroupOptions(ctx context.Context, in *rdsapi.DescribeOptionGroupOptionsMessage) (*rdsapi.OptionGroupOptionsMessage, error) {
	c := s.Call(ctx)
	if len(in.Filters) > 0 {
		return nil, msgNoFilters.New(c.Operation)
	}
	e, err := lookupEngine(*in.EngineName)
	if err != nil {
		return nil, err
	}
	pg, err := s.openPage(kit.List{Op: c.Operation, Account: c.Account, Region: c.Region, Within: e.Name + "/" + deref(in.MajorEngineVersion)}, in.MaxRecords, in.Marker, 20, 100, 100)
	if err != nil {
		return nil, err
	}
	var all []rdsapi.OptionGroupOption
	for _, major := range majorsOf(e) {
		if in.MajorEngineVersion == nil || *in.MajorEngineVersion == major {
			for _, o := range optionsOf(e.Name, major) {
				all = append(all, optionGroupOptionOut(e.Name, major, o))
			}
		}
	}
	page, next := cut(pg, all, func(o rdsapi.OptionGroupOption) string { return *o.MajorEngineVersion + "/" + *o.Name })
	return &rdsapi.OptionGroupOptionsMessage{OptionGroupOptions: orEmpty(page), Marker: next}, nil
}

// majorsOf lists an engine's major versions in order.
func majorsOf(e *engine) []string {
	var out []string
	for _, v := range e.Versions {
		if !slices.Contains(out, v.Major) {
			out = append(out, v.Major)
		}
	}
	slices.Sort(out)
	return out
}

func optionGroupOptionOut(engineName, major string, o optionDef) rdsapi.OptionGroupOption {
	out := rdsapi.OptionGroupOption{
		Name: new(o.Name), Description: new(o.Description), EngineName: new(engineName), MajorEngineVersion: new(major),
		MinimumRequiredMinorEngineVersion: new("0"), PortRequired: new(o.PortRequired), Persistent: new(o.Persistent),
		Permanent: new(o.Permanent), RequiresAutoMinorEngineVersionUpgrade: new(false), VpcOnly: new(false),
		SupportsOptionVersionDowngrade: new(false), CopyableCrossAccount: new(true),
		OptionsDependedOn: []string{}, OptionsConflictsWith: []string{}, OptionGroupOptionSettings: []rdsapi.OptionGroupOptionSetting{},
		OptionGroupOptionVersions: []rdsapi.OptionVersion{},
	}
	if o.PortRequired {
		out.DefaultPort = new(o.DefaultPort)
	}
	for i, v := range o.Versions {
		out.OptionGroupOptionVersions = append(out.OptionGroupOptionVersions, rdsapi.OptionVersion{Version: new(v), IsDefault: new(i == len(o.Versions)-1)})
	}
	for _, sd := range o.Settings {
		set := rdsapi.OptionGroupOptionSetting{
			SettingName: new(sd.Name), SettingDescription: new(sd.Description), ApplyType: new(sd.Apply),
			IsModifiable: new(true), IsRequired: new(sd.Required),
		}
		if sd.Default != "" {
			set.DefaultValue = new(sd.Default)
		}
		if sd.Allowed != "" {
			set.AllowedValues = new(sd.Allowed)
		}
		out.OptionGroupOptionSettings = append(out.OptionGroupOptionSettings, set)
	}
	return out
}

func optionGroupOut(c kit.Call, g *optionGroupRec) rdsapi.OptionGroup {
	out := rdsapi.OptionGroup{
		OptionGroupName: new(g.Name), OptionGroupDescription: new(g.Description), EngineName: new(g.Engine),
		MajorEngineVersion: new(g.Major), Options: []rdsapi.Option{}, AllowsVpcAndNonVpcInstanceMemberships: new(true),
		OptionGroupArn: groupARN(c.Account, c.Region, "og", g.Name),
	}
	for _, o := range g.Options {
		out.Options = append(out.Options, optionOut(g, o))
	}
	return out
}

// optionOut is an option of a group with every setting of its definition: the value the
// user set, or the default.
func optionOut(g *optionGroupRec, o optionRec) rdsapi.Option {
	def, _ := optionOf(g.Engine, g.Major, o.Name)
	out := rdsapi.Option{
		OptionName: new(o.Name), OptionDescription: new(def.Description), Persistent: new(def.Persistent), Permanent: new(def.Permanent),
		OptionSettings: []rdsapi.OptionSetting{}, DBSecurityGroupMemberships: []rdsapi.DBSecurityGroupMembership{},
		VpcSecurityGroupMemberships: []rdsapi.VpcSecurityGroupMembership{},
	}
	if o.Port != 0 {
		out.Port = new(o.Port)
	}
	if o.Version != "" {
		out.OptionVersion = new(o.Version)
	}
	for _, sg := range o.VpcSGs {
		out.VpcSecurityGroupMemberships = append(out.VpcSecurityGroupMemberships, rdsapi.VpcSecurityGroupMembership{VpcSecurityGroupId: new(sg), Status: new(securityGroupActive)})
	}
	for _, sd := range def.Settings {
		value, set := o.Settings[sd.Name]
		if !set {
			value = sd.Default
		}
		out.OptionSettings = append(out.OptionSettings, rdsapi.OptionSetting{
			Name: new(sd.Name), Value: new(value), DefaultValue: new(sd.Default), Description: new(sd.Description),
			ApplyType: new(sd.Apply), DataType: new(sd.valueType()), IsModifiable: new(true), IsCollection: new(sd.Collection),
		})
	}
	return out
}
