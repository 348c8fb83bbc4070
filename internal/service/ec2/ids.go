package ec2

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/xregion/xregion/internal/ids"
)

// EC2 resource ids are a prefix, a dash and 17 hex digits ("vpc-0a1b2c3d4e5f60718").
const idDigits = 17

// Id prefixes.
const (
	prefixVpc        = "vpc"
	prefixVpcCidr    = "vpc-cidr-assoc"
	prefixSubnetCidr = "subnet-cidr-assoc"
	prefixSubnet     = "subnet"
	prefixGroup      = "sg"
	prefixRule       = "sgr"
	prefixTable      = "rtb"
	prefixTableLink  = "rtbassoc"
	prefixGateway    = "igw"
	prefixACL        = "acl"
	prefixACLLink    = "aclassoc"
	prefixDHCP       = "dopt"
	prefixInterface  = "eni"
	prefixVolume     = "vol"
	prefixSnapshot   = "snap"
)

// newID makes a random id.
func newID(prefix string) string { return prefix + "-" + ids.Hex(9)[:idDigits] }

// idMaker makes the ids of the resources a VPC is born with: random ones for the VPCs
// users create, derived ones for the default VPC (see defaultIDs).
type idMaker func(prefix, name string) string

func randomIDs(prefix, _ string) string { return newID(prefix) }

// defaultIDs derives the ids of an account's default network in a Region from the
// account, the Region and the resource's place in it, so that the default VPC has the
// same ids whenever and wherever it is made: before and after it is written, in every
// test run, and after a reset.
func defaultIDs(account, region string) idMaker {
	return func(prefix, name string) string {
		sum := sha256.Sum256([]byte("xregion/ec2/default/" + account + "/" + region + "/" + prefix + "/" + name))
		return prefix + "-" + hex.EncodeToString(sum[:])[:idDigits]
	}
}

// wellFormed reports whether id has the prefix and the shape of an EC2 id (8 or 17 hex
// digits after it, as AWS's older and newer ids have).
func wellFormed(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"-")
	if !ok || (len(rest) != 8 && len(rest) != idDigits) {
		return false
	}
	for _, c := range rest {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// kindOf returns the id prefix of an EC2 resource id ("vpc" for "vpc-1234abcd"); the
// prefixes with dashes ("vpc-cidr-assoc") are not resources that carry tags.
func kindOf(id string) string {
	i := strings.LastIndexByte(id, '-')
	if i <= 0 {
		return ""
	}
	return id[:i]
}
