package cloudtrail

import (
	"github.com/xregion/xregion/internal/awserr"
	ct "github.com/xregion/xregion/internal/gen/cloudtrailapi"
)

// The catalogue of CloudTrail's errors: every text LookupEvents and the trails answer.
var (
	msgInvalidNextToken  = awserr.Message{Kind: ct.ErrInvalidNextToken, Text: "Invalid NextToken"}
	msgOneAttribute      = awserr.Message{Kind: ct.ErrInvalidLookupAttributes, Text: "You cannot specify more than one lookup attribute."}
	msgReadOnlyValue     = awserr.Message{Kind: ct.ErrInvalidLookupAttributes, Text: "The ReadOnly lookup attribute value must be true or false, not %s."}
	msgInvalidTimeRange  = awserr.Message{Kind: ct.ErrInvalidTimeRange, Text: "Start time must be earlier than end time."}
	msgInvalidMaxResults = awserr.Message{Kind: ct.ErrInvalidMaxResults, Text: "MaxResults must be between 1 and 50."}
	msgInvalidCategory   = awserr.Message{Kind: ct.ErrInvalidEventCategory, Text: "Event category %s is not valid; the one category is insight."}

	msgTrailNameShort    = awserr.Message{Kind: ct.ErrInvalidTrailName, Text: "Trail name too short. Minimum allowed length: 3 characters. Specified name length: %d characters."}
	msgTrailNameLong     = awserr.Message{Kind: ct.ErrInvalidTrailName, Text: "Trail name too long. Maximum allowed length: 128 characters. Specified name length: %d characters."}
	msgTrailNameChars    = awserr.Message{Kind: ct.ErrInvalidTrailName, Text: "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_)."}
	msgTrailNameEnds     = awserr.Message{Kind: ct.ErrInvalidTrailName, Text: "Trail name must start and end with a letter or number."}
	msgTrailNameAdjacent = awserr.Message{Kind: ct.ErrInvalidTrailName, Text: "Trail name cannot contain consecutive special characters."}
	msgTrailNameIP       = awserr.Message{Kind: ct.ErrInvalidTrailName, Text: "Trail name cannot be in an IP address format."}
	msgTrailARN          = awserr.Message{Kind: ct.ErrCloudTrailARNInvalid, Text: "Invalid trail ARN: %s"}
	msgTrailNotProvided  = awserr.Message{Kind: ct.ErrTrailNotProvided, Text: "Trail name or ARN is required."}
	msgTrailExists       = awserr.Message{Kind: ct.ErrTrailAlreadyExists, Text: "Trail %s already exists for customer: %s"}
	msgTrailNotFound     = awserr.Message{Kind: ct.ErrTrailNotFound, Text: "Unknown trail: %s for the user: %s"}
	msgHomeRegion        = awserr.Message{Kind: ct.ErrInvalidHomeRegion, Text: "This operation must be called from the trail's home region, %s."}
	msgBucketName        = awserr.Message{Kind: ct.ErrInvalidS3BucketName, Text: "Bucket name is not valid: %s"}
	msgPrefix            = awserr.Message{Kind: ct.ErrInvalidS3Prefix, Text: "S3 prefix is longer than 200 characters."}
	msgMultiRegionGlobal = awserr.Message{Kind: ct.ErrInvalidParameterCombination, Text: "Multi-Region trail must include global service events."}
	msgUnserved          = awserr.Message{Kind: ct.ErrUnsupportedOperation, Text: "xregion delivers trail log files to a local directory only: %s is not supported."}
)
