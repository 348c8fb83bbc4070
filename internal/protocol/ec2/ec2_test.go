package ec2

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/ec2api"
)

func decode(t *testing.T, form string) (string, any, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	op, in, err := New(ec2api.Model()).Decode(r, []byte(form))
	name := ""
	if op != nil {
		name = op.Name
	}
	return name, in, err
}

func TestDecodeFlattenedListsByQueryName(t *testing.T) {
	op, in, err := decode(t, "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-1&VpcId.2=vpc-2"+
		"&Filter.1.Name=tag%3AName&Filter.1.Value.1=web&Filter.1.Value.2=db&Filter.2.Name=is-default&Filter.2.Value.1=true"+
		"&MaxResults=5&DryRun=false")
	if err != nil || op != "DescribeVpcs" {
		t.Fatalf("Decode = %s, %v", op, err)
	}
	want := &ec2api.DescribeVpcsRequest{
		VpcIds: []string{"vpc-1", "vpc-2"},
		Filters: []ec2api.Filter{
			{Name: new("tag:Name"), Values: []string{"web", "db"}},
			{Name: new("is-default"), Values: []string{"true"}},
		},
		MaxResults: new(int64(5)), DryRun: new(false),
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("input = %+v\nwant    %+v", in, want)
	}
}

func TestDecodeNestedListsAndScalars(t *testing.T) {
	_, in, err := decode(t, "Action=CreateVolume&AvailabilityZone=us-east-1a&Size=8&VolumeType=gp3&Encrypted=true"+
		"&TagSpecification.1.ResourceType=volume&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=data"+
		"&TagSpecification.1.Tag.2.Key=empty&TagSpecification.1.Tag.2.Value=")
	if err != nil {
		t.Fatal(err)
	}
	got := in.(*ec2api.CreateVolumeRequest)
	want := &ec2api.CreateVolumeRequest{
		AvailabilityZone: new("us-east-1a"), Size: new(int64(8)), VolumeType: new("gp3"), Encrypted: new(true),
		TagSpecifications: []ec2api.TagSpecification{{ResourceType: new("volume"), Tags: []ec2api.Tag{
			{Key: new("Name"), Value: new("data")}, {Key: new("empty"), Value: new("")},
		}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("input = %+v\nwant    %+v", got, want)
	}
	// Timestamps, in any form the SDKs write them.
	_, in, err = decode(t, "Action=DescribeSnapshotTierStatus&Filter.1.Name=last-tiering-start-time&Filter.1.Value.1=x")
	if err != nil || len(in.(*ec2api.DescribeSnapshotTierStatusRequest).Filters) != 1 {
		t.Errorf("DescribeSnapshotTierStatus = %+v, %v", in, err)
	}
}

func TestDecodeRefusesAsEC2Does(t *testing.T) {
	cases := []struct{ form, code, message string }{
		{"Version=2016-11-15", "MissingAction", "Missing Action"},
		{"Action=RunInstances", "InvalidAction", "The action RunInstances is not valid for this web service."},
		{"Action=DeleteVolume", "MissingParameter", "The request must contain the parameter VolumeId"},
		{"Action=AttachInternetGateway&InternetGatewayId=igw-1", "MissingParameter", "The request must contain the parameter VpcId"},
		{"Action=CreateVolume&AvailabilityZone=us-east-1a&VolumeType=gp4", "InvalidParameterValue",
			"Value (gp4) for parameter VolumeType is invalid. Valid values are: standard, io1, io2, gp2, sc1, st1, gp3."},
		{"Action=CreateVolume&AvailabilityZone=us-east-1a&Size=eight", "InvalidParameterValue",
			"Value (eight) for parameter Size is invalid. It must be an integer."},
		{"Action=DeleteVolume&VolumeId=vol-1&DryRun=yes", "InvalidParameterValue",
			"Value (yes) for parameter DryRun is invalid. It must be true or false."},
		{"Action=DescribeVpcs&MaxResults=4", "InvalidParameterValue",
			"Value (4) for parameter MaxResults is invalid. Expecting a value between 5 and 1000."},
		{"Action=CreateTags&ResourceId.1=vpc-1&Tag.1.Key=a", "", ""},
		{"Action=CreateTags&ResourceId.1=vpc-1", "MissingParameter", "The request must contain the parameter Tag"},
		{"Action=ModifySecurityGroupRules&GroupId=sg-1&SecurityGroupRule.1.SecurityGroupRule.IpProtocol=tcp", "MissingParameter",
			"The request must contain the parameter SecurityGroupRule.1.SecurityGroupRuleId"},
	}
	for _, c := range cases {
		_, _, err := decode(t, c.form)
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: %v", c.form, err)
			}
			continue
		}
		e, ok := err.(*awserr.Error)
		if !ok || e.Code != c.code || e.Message != c.message || e.Status != 400 {
			t.Errorf("%s:\n got %v\nwant %s: %s", c.form, err, c.code, c.message)
		}
	}
}

func TestEncodeHasNoResultWrapper(t *testing.T) {
	api := ec2api.Model()
	w := httptest.NewRecorder()
	out := &ec2api.DescribeVpcsResult{Vpcs: []ec2api.Vpc{{
		VpcId: new("vpc-1"), CidrBlock: new("10.0.0.0/16"), IsDefault: new(false),
		CidrBlockAssociationSet: []ec2api.VpcCidrBlockAssociation{{AssociationId: new("a-1"), CidrBlock: new("10.0.0.0/16")}},
		Tags:                    []ec2api.Tag{{Key: new("Name"), Value: new("a<b")}},
	}}}
	New(api).Encode(w, api.Operations["DescribeVpcs"], out, "req-1")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId>` +
		`<vpcSet><item><cidrBlockAssociationSet><item><associationId>a-1</associationId><cidrBlock>10.0.0.0/16</cidrBlock></item></cidrBlockAssociationSet>` +
		`<isDefault>false</isDefault><tagSet><item><key>Name</key><value>a&lt;b</value></item></tagSet>` +
		`<vpcId>vpc-1</vpcId><cidrBlock>10.0.0.0/16</cidrBlock></item></vpcSet></DescribeVpcsResponse>`
	if got := w.Body.String(); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/xml") {
		t.Errorf("status %d, content type %q", w.Code, w.Header().Get("Content-Type"))
	}
}

func TestEncodeTimestampsAndEmptyOutputs(t *testing.T) {
	api := ec2api.Model()
	w := httptest.NewRecorder()
	created := time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
	New(api).Encode(w, api.Operations["CreateVolume"], &ec2api.Volume{VolumeId: new("vol-1"), CreateTime: &created}, "r")
	if !strings.Contains(w.Body.String(), "<volumeId>vol-1</volumeId><createTime>2026-01-02T03:04:05.600Z</createTime>") {
		t.Errorf("CreateVolume body = %s", w.Body.String())
	}
	w = httptest.NewRecorder()
	New(api).Encode(w, api.Operations["CreateTags"], nil, "r")
	if !strings.HasSuffix(w.Body.String(), `<CreateTagsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><return>true</return></CreateTagsResponse>`) {
		t.Errorf("CreateTags body = %s", w.Body.String())
	}
}

func TestEncodeErrorAsEC2(t *testing.T) {
	w := httptest.NewRecorder()
	kind := awserr.Kind{Code: "DryRunOperation", Status: 412, Sender: true}
	New(ec2api.Model()).EncodeError(w, nil, kind.New("Request would have succeeded, but DryRun flag is set."), "req-9")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Response><Errors><Error><Code>DryRunOperation</Code><Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors>` +
		`<RequestID>req-9</RequestID></Response>`
	if w.Code != 412 || w.Body.String() != want {
		t.Errorf("error = %d\n%s", w.Code, w.Body.String())
	}
	if e := New(ec2api.Model()).NotImplemented("RunInstances"); e.Code != "InvalidAction" || e.Status != 400 ||
		e.Message != "xregion does not implement ec2:RunInstances" {
		t.Errorf("NotImplemented = %+v", e)
	}
}
