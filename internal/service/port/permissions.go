package port

import "github.com/xregion/xregion/internal/service/kit"

// Permissions is IAM's evaluation of permissions policies, for the services that keep
// resource-based policies of their own and enforce them in strict mode (KMS's key
// policies); IAM provides it. The evaluation is the one of trust policies (Roles), with
// resources and the account's IAM policies added.
type Permissions interface {
	// ResourcePolicy evaluates a resource-based policy for a request. A statement whose
	// principal is the caller's account (its id or its root ARN) allows the root itself
	// (Allow) and lets IAM policies decide for everyone else in the account
	// (AllowAccount); it denies every principal of the account.
	ResourcePolicy(doc string, req AccessRequest) (Decision, error)
	// IdentityPolicies evaluates the IAM policies of the request's principal: a role's
	// inline and attached policies for its sessions, those of the principal that
	// federated a federated user. The account's root may do anything (Allow); a
	// principal IAM does not know has no policies (NoDecision). A session with session
	// policies is allowed only what they allow as well; a Deny in either refuses.
	IdentityPolicies(tx kit.Tx, req AccessRequest) (Decision, error)
}

// AccessRequest is one action a principal asks to run on one resource.
type AccessRequest struct {
	Action    string // service:Action, kms:Decrypt
	Resource  string // the resource's ARN
	Principal Principal
	// Keys are the request's condition keys (kms:EncryptionContext:..., kms:CallerAccount,
	// ...); those that follow from the principal and the clock are added by the
	// evaluation, as for trust policies.
	Keys ConditionKeys
	// Session bounds a session principal's rights: its session policies, and the
	// principal that federated a federated user (the kit.Call's Caller.Session).
	Session kit.Session
}

// Decision is what a policy says of a request.
type Decision int

const (
	NoDecision   Decision = iota // no statement applies: denied unless something else allows
	Allow                        // a statement allows, and none denies
	Deny                         // a statement denies: nothing else can allow
	AllowAccount                 // a resource policy allows the principal's account: IAM policies decide
)
