package ec2

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/service/kit"
)

// maxTags is AWS's limit of tags per resource.
const maxTags = 50

// taggable is what tags need to know of a kind of resource: the resource type
// DescribeTags and tag specifications name it by, whether an id exists, and the error for
// one that does not.
type taggable struct {
	resourceType string
	exists       func(v kit.View, id string) bool
	notFound     awserr.Message
}

// taggables are the kinds of resources that carry tags, by id prefix.
var taggables = map[string]taggable{
	prefixVpc:       {"vpc", has(vpcs), msgVpcNotFound},
	prefixSubnet:    {"subnet", has(subnets), msgSubnetNotFound},
	prefixGroup:     {"security-group", has(groups), msgGroupNotFound},
	prefixRule:      {"security-group-rule", ruleExists, msgRuleIDNotFound},
	prefixTable:     {"route-table", has(routeTables), msgTableNotFound},
	prefixGateway:   {"internet-gateway", has(gateways), msgGatewayNotFound},
	prefixACL:       {"network-acl", has(acls), msgACLNotFound},
	prefixInterface: {"network-interface", has(interfaces), msgENINotFound},
	prefixDHCP:      {"dhcp-options", dhcpExists, msgDHCPNotFound},
	prefixVolume:    {"volume", has(volumes), msgVolumeNotFound},
	prefixSnapshot:  {"snapshot", has(snapshots), msgSnapshotNotFound},
}

func has[R any](t kit.Table[R]) func(kit.View, string) bool {
	return func(v kit.View, id string) bool { return t.Has(v, id) }
}

func tagsOf(v kit.View, id string) []tag {
	set, err := tagSets.Get(v, id)
	if err != nil || set == nil {
		return nil
	}
	return set.Tags
}

func apiTags(ts []tag) []ec2api.Tag {
	if len(ts) == 0 {
		return nil
	}
	out := make([]ec2api.Tag, len(ts))
	for i, t := range ts {
		out[i] = ec2api.Tag{Key: new(t.Key), Value: new(t.Value)}
	}
	return out
}

// tagsOfResource is a resource's tags as the API writes them.
func tagsOfResource(v kit.View, id string) []ec2api.Tag { return apiTags(tagsOf(v, id)) }

// checkTags refuses tags AWS refuses: empty or long keys, long values, the reserved aws:
// prefix.
func checkTags(ts []ec2api.Tag) error {
	for _, t := range ts {
		key := deref(t.Key)
		switch {
		case key == "":
			return msgTagKeyEmpty.New()
		case len([]rune(key)) > 128:
			return msgTagKeyLong.New()
		case len([]rune(deref(t.Value))) > 256:
			return msgTagValueLong.New()
		case strings.HasPrefix(strings.ToLower(key), "aws:"):
			return msgTagKeyAWS.New()
		}
	}
	return nil
}

// setTags adds or replaces tags of a resource, keeping the order keys were first set.
func setTags(v kit.View, id string, ts []ec2api.Tag) error {
	if len(ts) == 0 {
		return nil
	}
	current := slices.Clone(tagsOf(v, id))
	for _, t := range ts {
		key, value := deref(t.Key), deref(t.Value)
		if i := slices.IndexFunc(current, func(c tag) bool { return c.Key == key }); i >= 0 {
			current[i].Value = value
		} else {
			current = append(current, tag{Key: key, Value: value})
		}
	}
	if len(current) > maxTags {
		return msgTagLimit.New()
	}
	return tagSets.Put(v, &tagSet{Tags: current}, id)
}

// removeTags removes tags of a resource: a tag with a value only when the value matches,
// every tag when none is named.
func removeTags(v kit.View, id string, ts []ec2api.Tag) error {
	if len(ts) == 0 {
		return tagSets.Delete(v, id)
	}
	kept := slices.DeleteFunc(slices.Clone(tagsOf(v, id)), func(c tag) bool {
		return slices.ContainsFunc(ts, func(t ec2api.Tag) bool {
			return deref(t.Key) == c.Key && (t.Value == nil || *t.Value == c.Value)
		})
	})
	if len(kept) == 0 {
		return tagSets.Delete(v, id)
	}
	return tagSets.Put(v, &tagSet{Tags: kept}, id)
}

// specTags returns the tags of the tag specifications of a create request that are for
// resourceType, the type of what the request creates. A specification for any other type
// is refused, as is one without a type or without tags.
func specTags(specs []ec2api.TagSpecification, resourceType string) ([]ec2api.Tag, error) {
	var out []ec2api.Tag
	seen := false
	for i, spec := range specs {
		switch {
		case spec.ResourceType == nil:
			return nil, msgTagSpecMissing.New(i + 1)
		case *spec.ResourceType != resourceType:
			return nil, msgTagSpecType.New(*spec.ResourceType)
		case seen:
			return nil, msgTagSpecTwice.New()
		case len(spec.Tags) == 0:
			return nil, msgTagSpecEmpty.New()
		}
		seen = true
		out = append(out, spec.Tags...)
	}
	if err := checkTags(out); err != nil {
		return nil, err
	}
	return out, nil
}

// resourceOf finds the kind of a resource id and checks that it exists in the view.
func resourceOf(v kit.View, id string) (taggable, error) {
	t, ok := taggables[kindOf(id)]
	if !ok || !wellFormed(id, kindOf(id)) {
		return taggable{}, msgTagResourceID.New(id)
	}
	if !t.exists(v, id) {
		return taggable{}, t.notFound.New(id)
	}
	return t, nil
}

func (s *Service) CreateTags(ctx context.Context, in *ec2api.CreateTagsRequest) (*awsmodel.Empty, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	return s.changeTags(ctx, in.Resources, in.DryRun, func(v kit.View, id string) error { return setTags(v, id, in.Tags) })
}

func (s *Service) DeleteTags(ctx context.Context, in *ec2api.DeleteTagsRequest) (*awsmodel.Empty, error) {
	return s.changeTags(ctx, in.Resources, in.DryRun, func(v kit.View, id string) error { return removeTags(v, id, in.Tags) })
}

// changeTags applies change to the tags of every resource named, once all exist.
func (s *Service) changeTags(ctx context.Context, resources []string, dry *bool, change func(v kit.View, id string) error) (*awsmodel.Empty, error) {
	return write(s, s.Call(ctx), func(tx kit.Tx, v kit.View) (*awsmodel.Empty, error) {
		for _, id := range resources {
			if _, err := resourceOf(v, id); err != nil {
				return nil, err
			}
		}
		if err := dryRun(dry); err != nil {
			return nil, err
		}
		for _, id := range resources {
			if err := change(v, id); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
}

// tagRow is one tag of one resource, as DescribeTags lists them.
type tagRow struct {
	resourceID, resourceType, key, value string
}

func (r *tagRow) pos() string { return r.resourceID + "\x00" + r.key }

var tagFilterNames = fields{"key": nil, "value": nil, "resource-id": nil, "resource-type": nil}

func (s *Service) DescribeTags(ctx context.Context, in *ec2api.DescribeTagsRequest) (*ec2api.DescribeTagsResult, error) {
	c := s.Call(ctx)
	if err := checkFilters(in.Filters, tagFilterNames); err != nil {
		return nil, err
	}
	return read(s, c, func(v kit.View) (*ec2api.DescribeTagsResult, error) {
		var rows []*tagRow
		err := tagSets.Keys(v, "", func(e kit.Entry) bool {
			id := e.Last()
			for _, t := range tagsOf(v, id) {
				row := &tagRow{resourceID: id, resourceType: taggables[kindOf(id)].resourceType, key: t.Key, value: t.Value}
				f := fields{"key": {row.key}, "value": {row.value}, "resource-id": {id}, "resource-type": {row.resourceType}}
				if matches(in.Filters, f, []tag{t}) {
					rows = append(rows, row)
				}
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		p, err := paginate(s, v, describeQuery{op: "DescribeTags", maxResults: in.MaxResults, nextToken: in.NextToken}, rows, (*tagRow).pos)
		if err != nil {
			return nil, err
		}
		out := &ec2api.DescribeTagsResult{Tags: []ec2api.TagDescription{}, NextToken: p.next}
		for _, r := range p.items {
			out.Tags = append(out.Tags, ec2api.TagDescription{ResourceId: new(r.resourceID), ResourceType: new(r.resourceType), Key: new(r.key), Value: new(r.value)})
		}
		return out, nil
	})
}
