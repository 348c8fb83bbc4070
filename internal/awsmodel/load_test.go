package awsmodel

import (
	"reflect"
	"testing"
)

type ec2Probe struct {
	Ipv6Addresses []string
	Types         []string
}

// The ec2 traits of a model reach the runtime model: a member's queryName and a list
// shape's own locationName.
func TestLoadKeepsEC2Traits(t *testing.T) {
	doc := []byte(`{"metadata": {"protocol": "ec2"}, "operations": {}, "shapes": {
		"Probe": {"type": "structure", "members": [
			{"name": "Ipv6Addresses", "shape": "List", "locationName": "ipv6AddressesSet", "queryName": "Ipv6Addresses"},
			{"name": "Types", "shape": "TypeList"}]},
		"List": {"type": "list", "member": {"shape": "S", "locationName": "item"}},
		"TypeList": {"type": "list", "member": {"shape": "S"}, "locationName": "InstanceType"},
		"S": {"type": "string"}}}`)
	api, err := Load(doc, map[string]reflect.Type{"Probe": reflect.TypeFor[ec2Probe]()})
	if err != nil {
		t.Fatal(err)
	}
	probe := api.Shapes["Probe"]
	if m := probe.MemberByName("Ipv6Addresses"); m.QueryName != "Ipv6Addresses" || m.EC2QueryName() != "Ipv6Addresses" || m.WireName() != "ipv6AddressesSet" {
		t.Errorf("Ipv6Addresses: query name %q, EC2 name %q, wire name %q", m.QueryName, m.EC2QueryName(), m.WireName())
	}
	if m := probe.MemberByName("Types"); m.EC2QueryName() != "Types" || m.Shape.LocationName != "InstanceType" {
		t.Errorf("Types: EC2 name %q, list locationName %q", m.EC2QueryName(), m.Shape.LocationName)
	}
}

// Lazy builds nothing, not even the table of Go types, before the model is first used.
func TestLazyWaitsForFirstUse(t *testing.T) {
	calls := 0
	model := Lazy([]byte(`{"metadata": {}, "operations": {}, "shapes": {}}`), func() map[string]reflect.Type {
		calls++
		return nil
	})
	if calls != 0 {
		t.Fatalf("types built %d times before first use", calls)
	}
	if model() != model() || calls != 1 {
		t.Errorf("types built %d times for two uses, want once", calls)
	}
}
