package efs

import (
	"strconv"
	"strings"
	"time"

	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

// metadataBytes is what an empty file system meters: EFS reports 6 KiB for the
// metadata of its root directory.
const metadataBytes = 6144

// Storage classes of files.
const (
	classStandard = "STANDARD"
	classIA       = "IA"
	classArchive  = "ARCHIVE"
)

func partitionOf(region string) string {
	p, ok := regions.Partition(region)
	if !ok {
		return "aws"
	}
	return p
}

// describeOne is a file system as DescribeFileSystems shows it, with its metered size.
func (s *Service) describeOne(v kit.View, fs *fileSystemRecord) (*efsapi.FileSystemDescription, error) {
	size, err := s.sizeOf(v, fs)
	if err != nil {
		return nil, err
	}
	d := &efsapi.FileSystemDescription{
		OwnerId: new(fs.Owner), CreationToken: new(fs.CreationToken), FileSystemId: new(fs.ID), FileSystemArn: new(fs.ARN),
		CreationTime: new(fs.Created), LifeCycleState: new(fs.State), NumberOfMountTargets: new(int64(fs.MountTargets)),
		SizeInBytes: size, PerformanceMode: new(fs.PerformanceMode), Encrypted: new(fs.Encrypted),
		ThroughputMode: new(fs.ThroughputMode), Tags: tagsOut(fs.Tags),
		FileSystemProtection: &efsapi.FileSystemProtectionDescription{ReplicationOverwriteProtection: new(fs.Protection)},
	}
	if name, ok := tagValue(fs.Tags, "Name"); ok {
		d.Name = new(name)
	}
	if fs.KmsKeyARN != "" {
		d.KmsKeyId = new(fs.KmsKeyARN)
	}
	if fs.ThroughputMode == efsapi.ThroughputModeProvisioned {
		d.ProvisionedThroughputInMibps = new(fs.ProvisionedMibps)
	}
	if fs.ZoneName != "" {
		d.AvailabilityZoneName, d.AvailabilityZoneId = new(fs.ZoneName), new(fs.ZoneID)
	}
	return d, nil
}

// sizeOf meters a file system: its metadata and its files, by storage class.
func (s *Service) sizeOf(v kit.View, fs *fileSystemRecord) (*efsapi.FileSystemSize, error) {
	now := s.Clock.Now()
	by := map[string]int64{classStandard: metadataBytes}
	err := files.Scan(v, func(f *fileRecord) bool {
		by[storageClass(f, fs.Lifecycle, now)] += f.Size
		return true
	}, fs.ID)
	if err != nil {
		return nil, err
	}
	total := by[classStandard] + by[classIA] + by[classArchive]
	return &efsapi.FileSystemSize{
		Value: new(total), Timestamp: new(now), ValueInStandard: new(by[classStandard]),
		ValueInIA: new(by[classIA]), ValueInArchive: new(by[classArchive]),
	}, nil
}

// storageClass is where the lifecycle rules have moved a file by now: to Archive, then
// to Infrequent Access, after as many days without access as the rules say.
func storageClass(f *fileRecord, rules []lifecycleRule, now time.Time) string {
	idle := now.Sub(f.Accessed)
	class := classStandard
	for _, r := range rules {
		if d, ok := ruleDays(r.ToArchive); ok && idle >= d {
			return classArchive
		}
		if d, ok := ruleDays(r.ToIA); ok && idle >= d {
			class = classIA
		}
	}
	return class
}

// ruleDays reads a transition rule ("AFTER_30_DAYS", "AFTER_1_DAY").
func ruleDays(rule string) (time.Duration, bool) {
	n := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(rule, "AFTER_"), "_DAYS"), "_DAY")
	days, err := strconv.Atoi(n)
	if rule == "" || err != nil {
		return 0, false
	}
	return time.Duration(days) * 24 * time.Hour, true
}

func tagsIn(in []efsapi.Tag) []tag {
	out := make([]tag, 0, len(in))
	for _, t := range in {
		out = setTag(out, deref(t.Key), deref(t.Value))
	}
	return out
}

func tagsOut(in []tag) []efsapi.Tag {
	out := make([]efsapi.Tag, len(in))
	for i, t := range in {
		out[i] = efsapi.Tag{Key: new(t.Key), Value: new(t.Value)}
	}
	return out
}

// setTag sets a tag, in place of one with the same key.
func setTag(tags []tag, key, value string) []tag {
	for i := range tags {
		if tags[i].Key == key {
			tags[i].Value = value
			return tags
		}
	}
	return append(tags, tag{Key: key, Value: value})
}

func removeTags(tags []tag, keys []string) []tag {
	out := tags[:0]
	for _, t := range tags {
		drop := false
		for _, k := range keys {
			drop = drop || t.Key == k
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

func tagValue(tags []tag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}
