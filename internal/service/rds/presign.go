package rds

import (
	"errors"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// checkPresignedURL accepts a PreSignedUrl when it is a SigV4 presigned request for
// action, signed for RDS in the source Region, that names the same source (params) and,
// when it says so, this destination Region. The AWS CLI and boto3 build it from
// --source-region / SourceRegion, the SDK for Go v2 from SourceRegion. The checks,
// including the signature in strict mode, are port.PresignedURLs'; AWS answers every
// failure the same way.
func (s *Service) checkPresignedURL(tx kit.Tx, raw, action, sourceRegion, destRegion string, params map[string]string) error {
	err := s.presigned.Verify(tx, raw, port.Presigned{
		Service: serviceName, Region: sourceRegion, Action: action, Params: params,
		IfPresent: map[string]string{"DestinationRegion": destRegion},
	})
	if errors.Is(err, port.ErrPresignRefused) {
		return msgPresignedURL.New()
	}
	return err
}
