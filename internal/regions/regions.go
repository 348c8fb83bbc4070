// Package regions knows the AWS Regions and their partitions. A request signed for a
// Region that is not listed here is refused rather than mapped to a default: a typo in a
// Region name must fail loudly, as it does against AWS.
package regions

import (
	"slices"
	"sort"
)

// Partitions and their Regions, from the partitions.json that botocore ships (2025).
var partitions = map[string][]string{
	"aws": {
		"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
		"eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
		"il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
		"us-west-1", "us-west-2",
	},
	"aws-cn":     {"cn-north-1", "cn-northwest-1"},
	"aws-us-gov": {"us-gov-east-1", "us-gov-west-1"},
	"aws-eusc":   {"eusc-de-east-1"},
	"aws-iso":    {"us-iso-east-1", "us-iso-west-1"},
	"aws-iso-b":  {"us-isob-east-1", "us-isob-west-1"},
	"aws-iso-e":  {"eu-isoe-west-1"},
	"aws-iso-f":  {"us-isof-east-1", "us-isof-south-1"},
}

var partitionOf = func() map[string]string {
	m := map[string]string{}
	for p, rs := range partitions {
		for _, r := range rs {
			m[r] = p
		}
	}
	return m
}()

// Default is the Region of requests that carry none (unsigned operations) and of global
// services such as IAM.
const Default = "us-east-1"

// Partition returns the partition of a Region ("aws", "aws-cn", "aws-us-gov", ...) and
// whether the Region exists.
func Partition(region string) (string, bool) {
	p, ok := partitionOf[region]
	return p, ok
}

// Valid reports whether region names a known Region.
func Valid(region string) bool {
	_, ok := partitionOf[region]
	return ok
}

// All lists every known Region, sorted.
func All() []string {
	out := make([]string, 0, len(partitionOf))
	for r := range partitionOf {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// InPartition lists the Regions of one partition, sorted.
func InPartition(partition string) []string {
	return slices.Sorted(slices.Values(partitions[partition]))
}

// SamePartition reports whether two Regions are in one partition: AWS never replicates
// across partitions (commercial, China, GovCloud, ...).
func SamePartition(a, b string) bool {
	pa, oka := partitionOf[a]
	pb, okb := partitionOf[b]
	return oka && okb && pa == pb
}
