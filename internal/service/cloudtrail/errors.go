package cloudtrail

import (
	"github.com/xregion/xregion/internal/awserr"
	ct "github.com/xregion/xregion/internal/gen/cloudtrailapi"
)

// The catalogue of CloudTrail's errors: every text LookupEvents answers.
var (
	msgInvalidNextToken  = awserr.Message{Kind: ct.ErrInvalidNextToken, Text: "Invalid NextToken"}
	msgOneAttribute      = awserr.Message{Kind: ct.ErrInvalidLookupAttributes, Text: "You cannot specify more than one lookup attribute."}
	msgReadOnlyValue     = awserr.Message{Kind: ct.ErrInvalidLookupAttributes, Text: "The ReadOnly lookup attribute value must be true or false, not %s."}
	msgInvalidTimeRange  = awserr.Message{Kind: ct.ErrInvalidTimeRange, Text: "Start time must be earlier than end time."}
	msgInvalidMaxResults = awserr.Message{Kind: ct.ErrInvalidMaxResults, Text: "MaxResults must be between 1 and 50."}
	msgInvalidCategory   = awserr.Message{Kind: ct.ErrInvalidEventCategory, Text: "Event category %s is not valid; the one category is insight."}
)
