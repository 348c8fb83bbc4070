package port

import (
	"strings"

	"github.com/xregion/xregion/internal/arn"
)

// ResourceARN is how the ARNs of a Protected provider's resources read, and the texts a
// job shows for an ARN that is not one of them.
type ResourceARN struct {
	Service string // the ARN's service: "ec2"
	Prefix  string // what precedes the id in the ARN's resource: "volume/"
	// NotARN is the text for another ARN, given the ARN; Elsewhere the text for an ARN of
	// another account or Region, given the ARN, the account and the Region.
	NotARN, Elsewhere string
}

// ID is the id in the ARN of a resource AWS Backup asks the provider about, which must
// be of the provider's account and Region. A wrong ARN is a CannotProtect failure.
func (r ResourceARN) ID(resourceARN, account, region string) (string, error) {
	a, err := arn.Parse(resourceARN)
	id, ok := strings.CutPrefix(a.Resource, r.Prefix)
	if err != nil || a.Service != r.Service || !ok {
		return "", CannotProtect(r.NotARN, resourceARN)
	}
	if a.Account != account || a.Region != region {
		return "", CannotProtect(r.Elsewhere, resourceARN, account, region)
	}
	return id, nil
}
