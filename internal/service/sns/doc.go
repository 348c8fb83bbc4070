// Package sns is xregion's Amazon Simple Notification Service: standard and FIFO topics
// with their attributes, access policies and tags, subscriptions of HTTP/S endpoints with
// AWS's confirmation handshake, filter policies and raw delivery, and publishing, with
// every message delivered as AWS delivers it — a signed JSON document POSTed with its
// x-amz-sns-* headers, retried along the delivery policy on the job engine's clock. It
// provides the port.Notifier through which AWS Backup (and later RDS and CloudTrail)
// notify topics, subject to the topics' policies.
//
// # Storage
//
// A topic is a record of its owner's account and its Region (records.go), keyed by name;
// its subscriptions are filed under it (subscription/<topic>/<id>) whoever owns them,
// with an index entry in the subscriber's account (owned/...) for ListSubscriptions. A
// message on its way to a subscription is a delivery record holding the envelope sealed
// with the server's root key: messages are never stored in plain text. Confirmation
// tokens are sealed claims (tokens.go), so nothing is stored per token.
//
// # Delivery
//
// See delivery.go: an attempt is a job that builds and signs the POST and hands it, once
// its transaction has committed, to the port.Webhooks that the server provides (package
// webhook); the outcome comes back outside any transaction and either ends the delivery
// or schedules the retry that the effective delivery policy (deliverypolicy.go) calls
// for. Nothing waits on an endpoint while holding the store.
//
// # Signing and links
//
// Each Region has one RSA key and self-signed certificate (signer.go), made on first need
// and kept with the key sealed. Messages carry AWS's links — SigningCertURL,
// SubscribeURL, UnsubscribeURL — on the server's own endpoint under port.LinkPath, which
// the server answers without authentication through ConfirmLink, UnsubscribeLink and
// SigningCertificate (links.go), as AWS answers a plain GET of them.
//
// # Access
//
// Every topic has an access policy; AWS's default one (policy.go) lets the owner's
// account do everything and no one else. Calls from the owner's account are refused only
// by an explicit Deny (xregion does not evaluate IAM identity policies); calls from other
// accounts need an Allow; AWS services publishing through the Notifier need an Allow for
// their service principal, or their notification is dropped (port.ErrNoTopic).
package sns
