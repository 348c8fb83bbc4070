// Package request carries what a service needs to know about the request it answers — who
// calls, in which account and Region — without any HTTP.
package request

import (
	"context"
)

// Info describes one API request.
type Info struct {
	ID        string // the request id returned to the client
	Service   string // signing name, e.g. "secretsmanager"
	Operation string
	Region    string // the Region the request was signed for
	Partition string // the Region's partition, for ARNs
	Account   string // the account the caller acts in
	AccessKey string
	Temporary bool // the access key is an STS session's
	Caller    Caller
}

// Caller is the identity behind the access key, as sts:GetCallerIdentity reports it.
type Caller struct {
	ARN    string
	UserID string
	// Session limits what a session may do beyond its principal's own policies.
	Session Session
}

// Session is what STS wrote into a session's credentials that bounds its rights: the
// session policies passed to AssumeRole* or GetFederationToken (the session may do only
// what they and its principal's policies both allow), and, for a federated user, the
// principal that called GetFederationToken, whose policies are the federated user's.
type Session struct {
	Policy      string   // the inline session policy, JSON; empty when none was passed
	PolicyARNs  []string // the managed session policies
	FederatedBy string   // GetFederationToken's caller, for a federated user
}

// Limited reports whether session policies were passed.
func (s Session) Limited() bool { return s.Policy != "" || len(s.PolicyARNs) > 0 }

type key struct{}

// With returns a context that carries info.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the request info of ctx. Services are only ever called with one, so its
// absence is a programming error.
func From(ctx context.Context) *Info {
	info, ok := ctx.Value(key{}).(*Info)
	if !ok {
		panic("request: context carries no request info")
	}
	return info
}
