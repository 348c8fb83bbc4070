package ec2

import (
	"context"
	"slices"

	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

// xregion serves every Region of a partition without opting in, so every Region is
// "opt-in-not-required" and DescribeRegions lists them all, with or without AllRegions.
const optInNotRequired = "opt-in-not-required"

func regionEndpoint(region string) string {
	if partitionOf(region) == "aws-cn" {
		return "ec2." + region + ".amazonaws.com.cn"
	}
	return "ec2." + region + ".amazonaws.com"
}

func (s *Service) DescribeRegions(ctx context.Context, in *ec2api.DescribeRegionsRequest) (*ec2api.DescribeRegionsResult, error) {
	c := s.Call(ctx)
	known := fields{"endpoint": nil, "opt-in-status": nil, "region-name": nil}
	if err := checkFilters(in.Filters, known); err != nil {
		return nil, err
	}
	all := regions.InPartition(c.Partition)
	for _, name := range in.RegionNames {
		if !slices.Contains(all, name) {
			return nil, msgRegionNotFound.New(name)
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	out := &ec2api.DescribeRegionsResult{Regions: []ec2api.Region{}}
	for _, r := range all {
		if len(in.RegionNames) > 0 && !slices.Contains(in.RegionNames, r) {
			continue
		}
		f := fields{"endpoint": {regionEndpoint(r)}, "opt-in-status": {optInNotRequired}, "region-name": {r}}
		if matches(in.Filters, f, nil) {
			out.Regions = append(out.Regions, ec2api.Region{RegionName: new(r), Endpoint: new(regionEndpoint(r)), OptInStatus: new(optInNotRequired)})
		}
	}
	return out, nil
}

func (s *Service) DescribeAvailabilityZones(ctx context.Context, in *ec2api.DescribeAvailabilityZonesRequest) (*ec2api.DescribeAvailabilityZonesResult, error) {
	c := s.Call(ctx)
	known := fields{"zone-name": nil, "zone-id": nil, "region-name": nil, "state": nil, "zone-type": nil, "group-name": nil,
		"opt-in-status": nil, "network-border-group": nil, "message": nil, "parent-zone-name": nil, "parent-zone-id": nil}
	if err := checkFilters(in.Filters, known); err != nil {
		return nil, err
	}
	for _, name := range append(slices.Clone(in.ZoneNames), in.ZoneIds...) {
		if _, ok := zoneNamed(c.Region, name); !ok {
			return nil, msgZoneNotFound.New(name)
		}
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	out := &ec2api.DescribeAvailabilityZonesResult{AvailabilityZones: []ec2api.AvailabilityZone{}}
	for _, z := range zonesOf(c.Region) {
		if (len(in.ZoneNames) > 0 || len(in.ZoneIds) > 0) && !slices.Contains(in.ZoneNames, z.Name) && !slices.Contains(in.ZoneIds, z.ID) {
			continue
		}
		f := fields{"zone-name": {z.Name}, "zone-id": {z.ID}, "region-name": {c.Region}, "state": {"available"},
			"zone-type": {"availability-zone"}, "group-name": {c.Region}, "opt-in-status": {optInNotRequired}, "network-border-group": {c.Region}}
		if !matches(in.Filters, f, nil) {
			continue
		}
		out.AvailabilityZones = append(out.AvailabilityZones, ec2api.AvailabilityZone{
			ZoneName: new(z.Name), ZoneId: new(z.ID), RegionName: new(c.Region), State: new(ec2api.AvailabilityZoneStateAvailable),
			OptInStatus: new(optInNotRequired), GroupName: new(c.Region), GroupLongName: new(c.Region),
			NetworkBorderGroup: new(c.Region), ZoneType: new("availability-zone"), Messages: []ec2api.AvailabilityZoneMessage{},
		})
	}
	return out, nil
}

// accountAttributes are the account's limits, as AWS reports them to a new account, and
// what its network offers.
func accountAttributes(defaultVpcID string) map[string][]string {
	return map[string][]string{
		"supported-platforms":                   {"VPC"},
		"default-vpc":                           {defaultVpcID},
		"max-instances":                         {"20"},
		"max-elastic-ips":                       {"5"},
		"vpc-max-elastic-ips":                   {"5"},
		"vpc-max-security-groups-per-interface": {"5"},
	}
}

func (s *Service) DescribeAccountAttributes(ctx context.Context, in *ec2api.DescribeAccountAttributesRequest) (*ec2api.DescribeAccountAttributesResult, error) {
	c := s.Call(ctx)
	return read(s, c, func(v kit.View) (*ec2api.DescribeAccountAttributesResult, error) {
		if err := dryRun(in.DryRun); err != nil {
			return nil, err
		}
		vpcID := "none"
		if vpc, err := defaultVpc(v); err != nil {
			return nil, err
		} else if vpc != nil {
			vpcID = vpc.ID
		}
		attrs := accountAttributes(vpcID)
		names := in.AttributeNames
		if len(names) == 0 {
			for name := range attrs {
				names = append(names, name)
			}
			slices.Sort(names)
		}
		out := &ec2api.DescribeAccountAttributesResult{AccountAttributes: []ec2api.AccountAttribute{}}
		for _, name := range names {
			a := ec2api.AccountAttribute{AttributeName: new(name)}
			for _, value := range attrs[name] {
				a.AttributeValues = append(a.AttributeValues, ec2api.AccountAttributeValue{AttributeValue: new(value)})
			}
			out.AccountAttributes = append(out.AccountAttributes, a)
		}
		return out, nil
	})
}
