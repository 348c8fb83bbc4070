// Package webhook is xregion's HTTP side of the messages services send to endpoints that
// users name, which services themselves never speak: Poster makes the POSTs (it provides
// port.Webhooks), and Links answers the links those messages carry (SNS's SubscribeURL,
// UnsubscribeURL and SigningCertURL), which AWS answers to a plain, unsigned GET.
package webhook
