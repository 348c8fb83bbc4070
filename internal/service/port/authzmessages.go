package port

// AuthorizationMessages seals the details of a refusal into the opaque "Encoded
// authorization failure message" that some AWS answers carry (EC2's
// UnauthorizedOperation), which the caller's account opens with
// sts:DecodeAuthorizationMessage; STS provides it. The message is sealed, not merely
// encoded: a client can neither read nor alter it.
type AuthorizationMessages interface {
	Encode(f AuthorizationFailure) string
}

// AuthorizationFailure is what a refused request was, as DecodeAuthorizationMessage
// reports it.
type AuthorizationFailure struct {
	Account      string // the caller's account: only it decodes the message
	PrincipalID  string // the caller's user id (AROA…:session, the account id for root)
	PrincipalARN string
	Action       string // service:Action, ec2:DeleteSnapshot
	Resource     string // the resource's ARN
	// Conditions are the request's condition keys as the evaluation saw them, by
	// their names in AWS's case (ec2:Region), which the decoded message shows.
	Conditions map[string][]string
	// ExplicitDeny says a Deny statement refused; Matched are the statements that
	// applied (none for an implicit deny).
	ExplicitDeny bool
	Matched      []MatchedStatement
}

// MatchedStatement is a policy statement that applied to a refused request.
type MatchedStatement struct {
	ID, Effect                    string // Effect is AWS's ALLOW or DENY
	Principals, Actions, Resource []string
}
