package server

import (
	"net/http"

	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/webhook"
)

// newWebhooks makes the poster through which services deliver to the HTTP endpoints
// users name, provided to them as port.Webhooks. Its links point at the listen address
// until Serve knows the real one.
func newWebhooks(listen string, ports *service.Ports) *webhook.Poster {
	if listen == "" {
		listen = DefaultListen
	}
	poster := webhook.NewPoster(webhook.ListenerURL(listen))
	service.Provide[port.Webhooks](ports, poster)
	return poster
}

// serviceLinks answers the links of the messages services send (SNS's SubscribeURL,
// UnsubscribeURL and SigningCertURL), which need no signature; nil when no service sends
// any.
func serviceLinks(services *service.Registry) http.Handler {
	for _, name := range services.Names() {
		svc, _ := services.Get(name)
		if l, ok := svc.(webhook.SNSLinks); ok {
			return webhook.Links(l)
		}
	}
	return nil
}
