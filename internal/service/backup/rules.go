package backup

import (
	"fmt"

	"github.com/xregion/xregion/internal/regions"
)

// AWS Backup's limits by resource type and by Region, as data: what a resource type can
// do (cold storage, copies across Regions and accounts, incremental copies), and which
// Regions take part in cross-Region copies. The engineers adding a resource type add a
// row here; the code that enforces the rules never names a type or a Region.

// feature says whether a resource type has a feature: never, always, or only where the
// Region's ResourceTypeManagementPreference turns on AWS Backup's advanced features for
// the type (advanced DynamoDB backup).
type feature uint8

const (
	never feature = iota
	always
	withAdvanced
)

// typeRule is what AWS Backup can do with the recovery points of one resource type.
type typeRule struct {
	// ColdStorage: recovery points move to cold storage as their lifecycle says;
	// elsewhere MoveToColdStorageAfterDays is ignored, as AWS ignores it.
	ColdStorage feature
	// CrossRegion and CrossAccount: copies to another Region, or to another account.
	CrossRegion, CrossAccount feature
	// OneCopyCrossesBoth: a single copy may go to another Region and another account at
	// once. RDS and Aurora cannot ("cross-Region backup, or cross-account backup, but
	// not both in the same backup plan"): see checkCopyRules.
	OneCopyCrossesBoth bool
	// Incremental: a copy moves only what the destination does not hold yet of the
	// resource; otherwise every copy moves the whole recovery point.
	Incremental bool
	// OwnARN: the recovery points are AWS Backup's own (arn:aws:backup:…:recovery-point:…)
	// rather than the provider's image's ARN (an RDS or EBS snapshot, a DynamoDB backup):
	// EFS's always, DynamoDB's with advanced backup, as AWS names them.
	OwnARN feature
	// Managed says that the type has a ResourceTypeManagementPreference (full AWS
	// Backup management), and its default.
	Managed *bool
}

// Resource types AWS Backup knows here. Only RDS has a provider today; the rows of the
// others are ready for the services being built (EBS, EFS, DynamoDB, Aurora).
const (
	typeRDS      = "RDS"
	typeAurora   = "Aurora"
	typeEBS      = "EBS"
	typeEFS      = "EFS"
	typeDynamoDB = "DynamoDB"
)

// typeRules: cold storage only for EFS, and for DynamoDB with advanced backup, as the
// seed says ("Currently only Amazon EFS file system backups can be transitioned to cold
// storage", advanced DynamoDB backup since); DynamoDB copies across Regions and
// accounts only with advanced backup. Advanced DynamoDB backup is off by default: the
// seed is the spec ("DynamoDB does not support cross-Region backup"), and turning it on
// (UpdateRegionSettings) is what AWS asks of older accounts.
var typeRules = map[string]typeRule{
	typeRDS:      {CrossRegion: always, CrossAccount: always, Incremental: true},
	typeAurora:   {CrossRegion: always, CrossAccount: always},
	typeEBS:      {CrossRegion: always, CrossAccount: always, OneCopyCrossesBoth: true, Incremental: true},
	typeEFS:      {ColdStorage: always, CrossRegion: always, CrossAccount: always, OneCopyCrossesBoth: true, Incremental: true, OwnARN: always, Managed: new(true)},
	typeDynamoDB: {ColdStorage: withAdvanced, CrossRegion: withAdvanced, CrossAccount: withAdvanced, OneCopyCrossesBoth: true, OwnARN: withAdvanced, Managed: new(false)},
}

// regionRule is what one Region allows.
type regionRule struct {
	Name string // the Region's name, for messages
	// NoCrossRegionCopy: no copy comes into or goes out of the Region from another one.
	NoCrossRegionCopy bool
}

// regionRules are the Regions without cross-Region copy, as seed 001 names them: "all AWS
// Regions where AWS Backup is available except for Asia Pacific (Hong Kong), Middle East
// (Bahrain), Europe (Milan), and Africa (Cape Town)". AWS has since opened these Regions
// to cross-Region copies; the seed is the spec here. Beyond this table, copies stay in
// their partition: the China Regions copy only between each other (see crossRegionProblem).
var regionRules = map[string]regionRule{
	"ap-east-1":  {Name: "Asia Pacific (Hong Kong)", NoCrossRegionCopy: true},
	"me-south-1": {Name: "Middle East (Bahrain)", NoCrossRegionCopy: true},
	"eu-south-1": {Name: "Europe (Milan)", NoCrossRegionCopy: true},
	"af-south-1": {Name: "Africa (Cape Town)", NoCrossRegionCopy: true},
}

// crossRegionProblem says why no copy may go from one Region to another, whatever the
// resource type, or "" when one may.
func crossRegionProblem(from, to string) string {
	if from == to {
		return ""
	}
	if !regions.SamePartition(from, to) {
		return fmt.Sprintf(reasonOtherPartition, from, to)
	}
	for _, r := range []string{from, to} {
		if rule := regionRules[r]; rule.NoCrossRegionCopy {
			return fmt.Sprintf(reasonNoCrossRegion, from, to, rule.Name, r)
		}
	}
	return ""
}

// has reports whether a feature is on for a resource type in a Region whose settings are
// set.
func (f feature) on(resourceType string, set *regionSettings) bool {
	switch f {
	case always:
		return true
	case withAdvanced:
		return set.managed(resourceType)
	}
	return false
}

// copyProblem says why a copy of a recovery point of resourceType may not go from one
// (account, Region) to another, given the source Region's settings, or "" when it may.
// The rule of RDS and Aurora is checked here, when the copy runs, not when a plan is
// made: AWS's documentation says a single copy action cannot cross both a Region and an
// account for them, and AWS reports it as the copy job's failure ("Copy job from … cannot
// be initiated for RDS resources"); a plan names no resource type, so it cannot refuse.
func copyProblem(resourceType string, set *regionSettings, fromAccount, fromRegion, toAccount, toRegion string) string {
	if why := crossRegionProblem(fromRegion, toRegion); why != "" {
		return why
	}
	rule, known := typeRules[resourceType]
	crossRegion, crossAccount := fromRegion != toRegion, fromAccount != toAccount
	switch {
	case !known:
		return ""
	case crossRegion && !rule.CrossRegion.on(resourceType, set),
		crossAccount && !rule.CrossAccount.on(resourceType, set),
		crossRegion && crossAccount && !rule.OneCopyCrossesBoth:
		return fmt.Sprintf(reasonTypeCannotCopy, fromRegion, toRegion, resourceType)
	}
	return ""
}

// coldCapable reports whether recovery points of resourceType made now go to cold
// storage as their lifecycle says.
func coldCapable(resourceType string, set *regionSettings) bool {
	return typeRules[resourceType].ColdStorage.on(resourceType, set)
}

// ownsARN reports whether recovery points of resourceType made now are named by AWS
// Backup (see typeRule.OwnARN).
func ownsARN(resourceType string, set *regionSettings) bool {
	return typeRules[resourceType].OwnARN.on(resourceType, set)
}

// incremental reports whether copies of resourceType move only what the destination
// lacks.
func incremental(resourceType string) bool { return typeRules[resourceType].Incremental }
