package ec2

import (
	"maps"
	"reflect"
	"slices"
	"testing"
)

type taggedRecord struct {
	ID      string   `json:"id" filter:"thing-id,id"`
	On      bool     `json:"on" filter:"is-on"`
	Groups  []string `json:"groups" filter:"group-id"`
	Private string   `json:"private"`
}

func TestTaggedFieldsReadsStringsBoolsAndLists(t *testing.T) {
	fieldsOf := taggedFields(func(r *taggedRecord, f fields) { f.opt("state", stateIf(r.ID, "ready")) })
	got := fieldsOf(&taggedRecord{ID: "t-1", On: true, Groups: []string{"sg-1", "sg-2"}, Private: "x"})
	want := fields{"thing-id": {"t-1"}, "id": {"t-1"}, "is-on": {"true"}, "group-id": {"sg-1", "sg-2"}, "state": {"ready"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
	// A zero record names every filter, with only the bools' "false" as a value.
	zero := fieldsOf(new(taggedRecord))
	want = fields{"thing-id": nil, "id": nil, "is-on": {"false"}, "group-id": nil, "state": nil}
	if !reflect.DeepEqual(zero, want) {
		t.Errorf("fields of a zero record = %v, want %v", zero, want)
	}
}

func TestAddCidrLinksNamesEachAssociation(t *testing.T) {
	f := fields{}
	addCidrLinks(f, "cidr-block-association.cidr-block", []cidrLink{{Block: "10.0.0.0/16", AssociationID: "vpc-cidr-assoc-1"}})
	want := fields{"cidr-block-association.cidr-block": {"10.0.0.0/16"},
		"cidr-block-association.association-id": {"vpc-cidr-assoc-1"}, "cidr-block-association.state": {"associated"}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("fields = %v, want %v", f, want)
	}
}

func TestTaggedFieldsRefusesATagOnAnotherType(t *testing.T) {
	type badRecord struct {
		Size int64 `filter:"size"`
	}
	defer func() {
		if recover() == nil {
			t.Error("a filter tag on an int64 was accepted")
		}
	}()
	taggedFields[badRecord](nil)
}

// TestKindsNameTheirFilters pins the filter names of the kinds whose records carry tags,
// aliases included: a tag lost or misspelt in a record would make Describe refuse the
// filter.
func TestKindsNameTheirFilters(t *testing.T) {
	names := func(f fields) []string { return slices.Sorted(maps.Keys(f)) }
	for kind, c := range map[string]struct{ got, want []string }{
		"group": {names(groupKind.fields(new(groupRecord))), []string{"description", "group-id", "group-name", "owner-id", "vpc-id"}},
		"subnet": {names(subnetKind.fields(new(subnetRecord))), []string{"assign-ipv6-address-on-creation", "availability-zone",
			"availability-zone-id", "available-ip-address-count", "cidr", "cidr-block", "cidrBlock", "default-for-az", "defaultForAz",
			"enable-dns64", "ipv6-cidr-block-association.association-id", "ipv6-cidr-block-association.ipv6-cidr-block",
			"ipv6-cidr-block-association.state", "ipv6-native", "map-public-ip-on-launch", "owner-id", "state", "subnet-arn",
			"subnet-id", "vpc-id"}},
		"interface": {names(interfaceKind.fields(new(interfaceRecord))), []string{"addresses.private-ip-address",
			"availability-zone", "description", "group-id", "interface-type", "ipv6-addresses.ipv6-address", "mac-address",
			"network-interface-id", "owner-id", "private-ip-address", "requester-id", "requester-managed", "status", "subnet-id", "vpc-id"}},
		"vpc": {names(vpcKind.fields(new(vpcRecord))), []string{"cidr", "cidr-block-association.association-id",
			"cidr-block-association.cidr-block", "cidr-block-association.state", "dhcp-options-id",
			"ipv6-cidr-block-association.association-id", "ipv6-cidr-block-association.ipv6-cidr-block",
			"ipv6-cidr-block-association.ipv6-pool", "ipv6-cidr-block-association.network-border-group",
			"ipv6-cidr-block-association.state", "is-default", "owner-id", "state", "vpc-id"}},
		"gateway": {names(gatewayKind.fields(new(gatewayRecord))), []string{"attachment.state", "attachment.vpc-id", "internet-gateway-id", "owner-id"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s filters = %v, want %v", kind, c.got, c.want)
		}
	}
}
