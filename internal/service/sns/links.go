package sns

import (
	"github.com/xregion/xregion/internal/service/kit"
)

// The links SNS puts in the messages it delivers, answered without authentication, as
// AWS answers them: the server's HTTP side (package webhook) calls these methods for a
// GET of a SubscribeURL, an UnsubscribeURL or a SigningCertURL, and writes their
// answers and errors as SNS's query API does.

// ConfirmLink confirms the subscription a SubscribeURL's token names (or restores the
// one an UnsubscribeConfirmation's token describes) and returns its ARN. The
// confirmation was not authenticated.
func (s *Service) ConfirmLink(region, topicARN, token string) (string, error) {
	ref, ok := parseTopicARN(topicARN)
	if !ok || ref.Region != region {
		return "", msgTopicARN.New()
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (string, error) {
		return s.confirm(tx, ref, token, s.Clock.Now(), false, false)
	})
}

// UnsubscribeLink removes the subscription an UnsubscribeURL names, unless it was
// confirmed with AuthenticateOnUnsubscribe.
func (s *Service) UnsubscribeLink(region, subscriptionARN string) error {
	ref, ok := parseSubscriptionARN(subscriptionARN)
	if !ok || ref.Topic.Region != region {
		return msgSubscriptionID.New()
	}
	return s.Update(func(tx kit.Tx) error { return s.unsubscribeRef(tx, ref, nil, s.Clock.Now()) })
}

// SigningCertificate returns, in PEM, the Region's certificate of the name a
// SigningCertURL ends with; nil for any other name.
func (s *Service) SigningCertificate(region, name string) ([]byte, error) {
	return kit.Read(s.Kit, func(tx kit.Tx) ([]byte, error) {
		rec, err := signers.Get(tx.In(signerAccount, region), signerID)
		if err != nil {
			return nil, err
		}
		if rec == nil || rec.Name != name {
			return nil, nil
		}
		return certPEM(rec.Cert), nil
	})
}
