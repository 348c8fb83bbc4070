package port

import "time"

// Webhooks posts to HTTP endpoints that users name (SNS's http and https subscriptions).
// The server provides it (package webhook): a service never speaks HTTP. A post happens
// outside any transaction, so that a slow endpoint never holds the store.
type Webhooks interface {
	// Endpoint is the base URL at which clients reach this server
	// ("http://127.0.0.1:4566"), for the links a message carries (SNS's SubscribeURL,
	// UnsubscribeURL and SigningCertURL).
	Endpoint() string
	// Post sends p in the background and calls done once with the outcome, from another
	// goroutine, outside any transaction and never before Post has returned.
	Post(p WebhookPost, done func(WebhookResult))
}

// WebhookPost is one HTTP POST.
type WebhookPost struct {
	URL    string
	Header map[string]string
	Body   []byte
	// Timeout bounds the whole exchange: an endpoint that has not answered by then has
	// failed.
	Timeout time.Duration
}

// LinkPath is where the server answers, without authentication, the links a service
// puts in what it sends: LinkPath + "<service>/<region>/..." (SNS's SubscribeURL,
// UnsubscribeURL and SigningCertURL, which AWS serves on the Regional endpoint).
const LinkPath = "/_aws/"

// WebhookResult is how a post ended: the status the endpoint answered, or why it did not
// answer.
type WebhookResult struct {
	Status int   // 0 when no answer came
	Err    error // the endpoint refused the connection, timed out, or the URL is unusable
}
