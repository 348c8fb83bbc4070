package port

import "time"

// Trail keeps the record of API activity: CloudTrail's management events. CloudTrail
// provides it; the gateway records every call it hands a service, and services may record
// the events they raise themselves (EventType "AwsServiceEvent").
type Trail interface {
	// Record files ev in its account and Region. It does not block on the store: events
	// are written in batches, and are all written before a lookup reads or the server
	// stops.
	Record(ev TrailEvent)
}

// TrailEvent is one event as CloudTrail records it. RequestParameters and
// ResponseElements carry no secret: whoever records an event redacts them first.
type TrailEvent struct {
	ID        string
	Time      time.Time
	Account   string
	Region    string
	Source    string // "secretsmanager.amazonaws.com"
	Name      string // the operation: "ReplicateSecretToRegions"
	EventType string // "AwsApiCall", or "AwsServiceEvent" for what a service did by itself
	ReadOnly  bool
	RequestID string
	// Caller is the identity that made the call; empty for a service event.
	Caller            TrailIdentity
	SourceIP          string
	UserAgent         string
	RequestParameters map[string]any
	ResponseElements  map[string]any
	ErrorCode         string
	ErrorMessage      string
	Resources         []TrailResource
}

// TrailIdentity is a caller as CloudTrail's userIdentity describes it.
type TrailIdentity struct {
	ARN         string
	PrincipalID string
	Account     string
	AccessKeyID string
}

// TrailResource is a resource an event concerns.
type TrailResource struct {
	Type string // "AWS::SecretsManager::Secret"
	Name string // its name or ARN, as the call gave it
}
