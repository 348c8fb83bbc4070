package rds

import (
	"errors"
	"time"

	"github.com/xregion/xregion/internal/auth/presign"
	"github.com/xregion/xregion/internal/store"
)

// checkPresignedURL accepts a PreSignedUrl when it is a SigV4 presigned request for
// action, signed for RDS in the source Region, that names the same source (params) and,
// when it says so, this destination Region. The AWS CLI and boto3 build it from
// --source-region / SourceRegion, the SDK for Go v2 from SourceRegion. The checks,
// including the signature in strict mode, are auth/presign's; AWS answers every failure the
// same way.
func (s *Service) checkPresignedURL(tx store.Tx, raw, action, sourceRegion, destRegion string, params map[string]string) error {
	err := presign.Verify(s.auth, tx, raw, presign.Call{
		Service: serviceName, Region: sourceRegion, Action: action, Params: params,
		IfPresent: map[string]string{"DestinationRegion": destRegion},
	}, time.Now())
	if errors.Is(err, presign.ErrRefused) {
		return invalidValue("PreSignedUrl could not be authenticated.")
	}
	return err
}
