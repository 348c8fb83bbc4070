package webhook

import (
	"net/http"
	"strings"
	"sync"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/protocol/query"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/port"
)

// SNSLinks is what answering SNS's links needs of SNS (package sns implements it).
type SNSLinks interface {
	// ConfirmLink confirms the subscription a SubscribeURL's token names and returns its
	// ARN.
	ConfirmLink(region, topicARN, token string) (string, error)
	// UnsubscribeLink removes the subscription an UnsubscribeURL names.
	UnsubscribeLink(region, subscriptionARN string) error
	// SigningCertificate returns the PEM certificate a SigningCertURL names, or nil.
	SigningCertificate(region, name string) ([]byte, error)
}

// snsLinkPath is where SNS's links live: snsLinkPath + "<region>/" + a certificate's
// name, or + "?Action=ConfirmSubscription|Unsubscribe&...".
const snsLinkPath = port.LinkPath + "sns/"

// Links answers the links of the messages services send, under port.LinkPath, to a
// plain GET without authentication, in the service's own protocol (SNS's query XML).
// SNS's model is loaded on the first link followed, not at start-up.
func Links(sns SNSLinks) http.Handler {
	return &links{sns: sns, codec: sync.OnceValue(func() *query.Codec { return query.New(snsapi.Model()) })}
}

type links struct {
	sns   SNSLinks
	codec func() *query.Codec
}

func (l *links) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, snsLinkPath)
	region, file, _ := strings.Cut(rest, "/")
	switch {
	case !ok || !regions.Valid(region) || strings.Contains(file, "/"):
		http.NotFound(w, r)
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	case file != "":
		l.certificate(w, r, region, file)
	default:
		l.action(w, r, region)
	}
}

func (l *links) certificate(w http.ResponseWriter, r *http.Request, region, name string) {
	pem, err := l.sns.SigningCertificate(region, name)
	switch {
	case err != nil:
		http.Error(w, "internal error", http.StatusInternalServerError)
	case pem == nil:
		http.NotFound(w, r)
	default:
		w.Header().Set("Content-Type", "application/x-x509-ca-cert")
		_, _ = w.Write(pem)
	}
}

// action answers ?Action=ConfirmSubscription and ?Action=Unsubscribe as SNS's API does.
func (l *links) action(w http.ResponseWriter, r *http.Request, region string) {
	q := r.URL.Query()
	api := snsapi.Model()
	requestID := ids.UUID()
	op, ok := api.Operations[q.Get("Action")]
	if !ok || (op.Name != snsapi.OpConfirmSubscription.Name && op.Name != snsapi.OpUnsubscribe.Name) {
		l.codec().EncodeError(w, nil, awserr.InvalidAction.New("The action %s is not valid for this web service.", q.Get("Action")), requestID)
		return
	}
	var out any
	var err error
	if op.Name == snsapi.OpConfirmSubscription.Name {
		var arn string
		arn, err = l.sns.ConfirmLink(region, q.Get("TopicArn"), q.Get("Token"))
		out = &snsapi.ConfirmSubscriptionResponse{SubscriptionArn: &arn}
	} else {
		err = l.sns.UnsubscribeLink(region, q.Get("SubscriptionArn"))
	}
	if err != nil {
		l.codec().EncodeError(w, op, awserr.As(err), requestID)
		return
	}
	l.codec().Encode(w, op, out, requestID)
}
