package sns

import (
	"encoding/hex"
	"encoding/json"
	"time"
)

// Confirmation tokens. A token is its claims sealed with the server's root key and bound
// to its topic's ARN: the server keeps nothing per token, a token it did not issue (or
// issued for another topic) does not open, and a token survives a restart. AWS's tokens
// are valid for two days.

const tokenLifetime = 48 * time.Hour

// tokenClaims is what a token lets its holder do: confirm a pending subscription, or
// restore one that an unauthenticated Unsubscribe removed.
type tokenClaims struct {
	Subscription string           `json:"s,omitempty"`
	Restore      *restoredSubject `json:"r,omitempty"`
	Expires      time.Time        `json:"e"`
}

// restoredSubject is a removed subscription, as ConfirmSubscription recreates it.
type restoredSubject struct {
	Owner      string            `json:"o"`
	Protocol   string            `json:"p"`
	Endpoint   string            `json:"u"`
	Attributes map[string]string `json:"a,omitempty"`
}

func tokenAAD(topicARN string) []byte { return []byte("xregion/sns/token\x00" + topicARN) }

// issueToken seals claims into a token for the topic.
func (s *Service) issueToken(topicARN string, claims tokenClaims) string {
	b, err := json.Marshal(claims)
	if err != nil {
		panic(err) // plain strings and a time always encode
	}
	return hex.EncodeToString(s.Sealer.Seal(b, tokenAAD(topicARN)))
}

// readToken opens a token of the topic that has not expired at now.
func (s *Service) readToken(topicARN, token string, now time.Time) (tokenClaims, error) {
	var claims tokenClaims
	sealed, err := hex.DecodeString(token)
	if err != nil {
		return claims, msgBadToken.New()
	}
	b, err := s.Sealer.Open(sealed, tokenAAD(topicARN))
	if err != nil || json.Unmarshal(b, &claims) != nil || !now.Before(claims.Expires) {
		return tokenClaims{}, msgBadToken.New()
	}
	return claims, nil
}
