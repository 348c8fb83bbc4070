package ec2

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/ec2api"
)

// FuzzDecode feeds arbitrary forms to the EC2 codec: it must never panic, refusals must be
// 4xx AWS errors, and whatever it decodes and answers must encode as XML.
func FuzzDecode(f *testing.F) {
	f.Add("Action=DescribeVpcs&Filter.1.Name=tag:Name&Filter.1.Value.1=web&VpcId.1=vpc-1&MaxResults=5")
	f.Add("Action=CreateVolume&AvailabilityZone=us-east-1a&Size=8&TagSpecification.1.ResourceType=volume&TagSpecification.1.Tag.1.Key=a")
	f.Add("Action=AuthorizeSecurityGroupIngress&GroupId=sg-1&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0")
	f.Add("Action=ModifySnapshotAttribute&SnapshotId=snap-1&CreateVolumePermission.Add.1.UserId=111122223333")
	f.Add("Action=DescribeVpcs&Filter.0.Name=x&Filter.99999999999999999999.Name=y&Filter.1=z")
	f.Add("Action=CreateVolume&Size=1e9&Encrypted=maybe&VolumeType=gp9")
	f.Add("Action=%zz")
	f.Add("")
	c := New(ec2api.Model())
	f.Fuzz(func(t *testing.T, form string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		op, in, err := c.Decode(r, []byte(form))
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Status/100 != 4 {
				t.Fatalf("Decode error %v is not a 4xx AWS error", err)
			}
			c.EncodeError(httptest.NewRecorder(), op, ae, "id")
			return
		}
		if op.Output == nil {
			c.Encode(httptest.NewRecorder(), op, nil, "id")
			return
		}
		// Echo the input where the output has the same type, which exercises the writer
		// on what the decoder made.
		if op.Input.GoType == op.Output.GoType {
			c.Encode(httptest.NewRecorder(), op, in, "id")
		} else {
			c.Encode(httptest.NewRecorder(), op, reflect.New(op.Output.GoType).Interface(), "id")
		}
	})
}
