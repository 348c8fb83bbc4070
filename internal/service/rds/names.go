package rds

import (
	"crypto/sha256"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/ids"
)

// validIdentifier reports whether s is an RDS identifier: 1 to max letters, digits and
// hyphens, beginning with a letter, not ending with a hyphen and without two hyphens in
// a row.
func validIdentifier(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9', c == '-':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return s[len(s)-1] != '-' && !strings.Contains(s, "--")
}

const (
	maxInstanceID = 63
	maxSnapshotID = 255
)

// newResourceID makes a DbiResourceId: "db-" and 26 upper-case letters and digits.
func newResourceID() string { return "db-" + ids.Upper(26) }

// newBackupID makes the id of an automated backup's ARN: "ab-" and 39 lower-case
// letters and digits, the length of the ids in AWS's examples.
func newBackupID() string { return "ab-" + ids.Lower(39) }

func instanceARN(partition, region, account, id string) string {
	return arn.New(partition, serviceName, region, account, "db:"+id)
}

func snapshotARN(partition, region, account, id string) string {
	return arn.New(partition, serviceName, region, account, "snapshot:"+id)
}

func backupARN(partition, region, account, abID string) string {
	return arn.New(partition, serviceName, region, account, "auto-backup:"+abID)
}

// stable derives a value from the account and Region that stays the same for the life
// of the account, as AWS's per-account endpoint suffix and default VPC do.
func stable(account, region, what string) []byte {
	h := sha256.Sum256([]byte(account + "/" + region + "/" + what))
	return h[:]
}

func stableChars(account, region, what, alphabet string, n int) string {
	h := stable(account, region, what)
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[int(h[i%len(h)])%len(alphabet)]
	}
	return string(out)
}

// endpointAddress is "<id>.<12 characters of the account and Region>.<region>.rds.amazonaws.com":
// every instance of an account in a Region shares the middle part, as on AWS.
func endpointAddress(account, region, id string) string {
	return id + "." + stableChars(account, region, "endpoint", "abcdefghijklmnopqrstuvwxyz0123456789", 12) +
		"." + region + ".rds.amazonaws.com"
}

// zones are the Availability Zones RDS places instances in.
func zones(region string) []string { return []string{region + "a", region + "b", region + "c"} }

func defaultVPC(account, region string) string {
	return "vpc-" + stableChars(account, region, "vpc", "0123456789abcdef", 17)
}

func defaultSecurityGroup(account, region string) string {
	return "sg-" + stableChars(account, region, "sg", "0123456789abcdef", 17)
}

func defaultSubnet(account, region, zone string) string {
	return "subnet-" + stableChars(account, region, "subnet/"+zone, "0123456789abcdef", 17)
}
