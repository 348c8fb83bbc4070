package sns_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/service/sns"
)

const (
	region   = "us-east-1"
	endpoint = "http://xregion.test:4566"
	hookURL  = "http://hooks.example:8080/sns"
)

// hooks is a fake port.Webhooks: each post waits until the test answers it, so that a
// test decides what an endpoint says and when.
type hooks struct {
	posts chan *post
}

type post struct {
	port.WebhookPost
	done func(port.WebhookResult)
}

func newHooks() *hooks { return &hooks{posts: make(chan *post, 1000)} }

func (h *hooks) Endpoint() string { return endpoint }

// Post queues the post; it is called when a delivery's transaction commits, and must not
// block.
func (h *hooks) Post(p port.WebhookPost, done func(port.WebhookResult)) {
	h.posts <- &post{WebhookPost: p, done: done}
}

// next waits for the next post.
func (h *hooks) next(t *testing.T) *post {
	t.Helper()
	select {
	case p := <-h.posts:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no post came")
		return nil
	}
}

// none checks that no post is waiting once the due jobs have run.
func (h *hooks) none(t *testing.T, e *env) {
	t.Helper()
	e.idle()
	select {
	case p := <-h.posts:
		t.Fatalf("unexpected post %s: %s", p.Header["x-amz-sns-message-type"], p.Body)
	default:
	}
}

// answer answers the post with an HTTP status, outside any transaction, as the real
// poster does.
func (p *post) answer(status int) { p.done(port.WebhookResult{Status: status}) }

// fail answers the post with a transport failure.
func (p *post) fail(err error) { p.done(port.WebhookResult{Err: err}) }

// body decodes the post's JSON document.
func (p *post) body(t *testing.T) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(p.Body, &out); err != nil {
		t.Fatalf("post body is not JSON: %v\n%s", err, p.Body)
	}
	return out
}

// env is SNS built alone, with the fake webhooks.
type env struct {
	*kittest.Harness
	t     *testing.T
	hooks *hooks
	svc   *sns.Service
	// notifier is SNS as the other services meet it, through port.Notifier.
	notifier port.Notifier
}

func start(t *testing.T) *env {
	t.Helper()
	hk := newHooks()
	var notifier port.Notifier
	h := kittest.Start(t, []string{"sns"}, kittest.WithPorts(func(p *service.Ports) {
		service.Provide[port.Webhooks](p, hk)
		service.Need(p, &notifier)
	}))
	return &env{Harness: h, t: t, hooks: hk, svc: h.Service("sns").(*sns.Service), notifier: notifier}
}

func (e *env) idle() {
	e.t.Helper()
	if err := e.Engine.WaitIdle(e.t.Context()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) createTopic(name string, attrs map[string]string) string {
	e.t.Helper()
	out := kittest.Must[*snsapi.CreateTopicResponse](e.t)(kittest.Call(e.Harness, region, snsapi.OpCreateTopic, &snsapi.CreateTopicInput{Name: &name, Attributes: attrs}))
	return *out.TopicArn
}

func (e *env) topicAttributes(topicARN string) map[string]string {
	e.t.Helper()
	out := kittest.Must[*snsapi.GetTopicAttributesResponse](e.t)(kittest.Call(e.Harness, region, snsapi.OpGetTopicAttributes, &snsapi.GetTopicAttributesInput{TopicArn: &topicARN}))
	return out.Attributes
}

func (e *env) setTopicAttribute(topicARN, name, value string) error {
	_, err := kittest.Call(e.Harness, region, snsapi.OpSetTopicAttributes, &snsapi.SetTopicAttributesInput{TopicArn: &topicARN, AttributeName: &name, AttributeValue: &value})
	return err
}

// subscribe subscribes hookURL and returns the subscription's ARN, still pending.
func (e *env) subscribe(topicARN string, attrs map[string]string) string {
	e.t.Helper()
	out := kittest.Must[*snsapi.SubscribeResponse](e.t)(kittest.Call(e.Harness, region, snsapi.OpSubscribe, &snsapi.SubscribeInput{
		TopicArn: &topicARN, Protocol: new("http"), Endpoint: new(hookURL), Attributes: attrs, ReturnSubscriptionArn: new(true),
	}))
	return *out.SubscriptionArn
}

// confirmed subscribes hookURL and confirms the subscription through the SubscribeURL
// of the confirmation it receives, as an endpoint does.
func (e *env) confirmed(topicARN string, attrs map[string]string) string {
	e.t.Helper()
	arn := e.subscribe(topicARN, attrs)
	p := e.hooks.next(e.t)
	p.answer(200)
	e.visitSubscribeURL(p.body(e.t)["SubscribeURL"].(string))
	return arn
}

// visitSubscribeURL is the GET of a SubscribeURL, as the server's links handler makes it.
func (e *env) visitSubscribeURL(link string) (string, error) {
	e.t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		e.t.Fatal(err)
	}
	q := u.Query()
	if q.Get("Action") != "ConfirmSubscription" || !strings.HasPrefix(link, endpoint+port.LinkPath+"sns/"+region+"/?") {
		e.t.Fatalf("SubscribeURL %s", link)
	}
	return e.svc.ConfirmLink(region, q.Get("TopicArn"), q.Get("Token"))
}

func (e *env) publish(in *snsapi.PublishInput) string {
	e.t.Helper()
	out := kittest.Must[*snsapi.PublishResponse](e.t)(kittest.Call(e.Harness, region, snsapi.OpPublish, in))
	return *out.MessageId
}

// wantError checks an AWS error's code and text.
func wantError(t *testing.T, err error, code, text string) {
	t.Helper()
	e := awserr.As(err)
	if err == nil || e.Code != code || (text != "" && e.Message != text) {
		t.Fatalf("error = %v, want %s: %s", err, code, text)
	}
}

// verify checks a message's signature as an SDK's message validator does.
func verify(t *testing.T, e *env, doc map[string]any) {
	t.Helper()
	if err := signatureError(e, doc); err != nil {
		t.Fatalf("signature does not verify: %v\n%v", err, doc)
	}
}

// signatureError fetches the certificate from SigningCertURL (here through the service
// that serves it), rebuilds the canonical string from the document and verifies the RSA
// signature with SHA1 (version 1) or SHA256 (version 2), following AWS's "Verifying the
// signatures of Amazon SNS messages".
func signatureError(e *env, doc map[string]any) error {
	certURL, _ := doc["SigningCertURL"].(string)
	prefix := endpoint + port.LinkPath + "sns/" + region + "/"
	if !strings.HasPrefix(certURL, prefix) || !strings.HasSuffix(certURL, ".pem") {
		return fmt.Errorf("SigningCertURL %q", certURL)
	}
	pemBytes, err := e.svc.SigningCertificate(region, strings.TrimPrefix(certURL, prefix))
	if err != nil || pemBytes == nil {
		return fmt.Errorf("certificate %s: %v", certURL, err)
	}
	block, _ := pem.Decode(pemBytes)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	fields := []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	if doc["Type"] == "Notification" {
		fields = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	}
	var b strings.Builder
	for _, f := range fields {
		if v, ok := doc[f].(string); ok {
			b.WriteString(f + "\n" + v + "\n")
		}
	}
	sig, err := base64.StdEncoding.DecodeString(doc["Signature"].(string))
	if err != nil {
		return err
	}
	var digest []byte
	hash := crypto.SHA1
	if doc["SignatureVersion"] == "2" {
		sum := sha256.Sum256([]byte(b.String()))
		digest, hash = sum[:], crypto.SHA256
	} else {
		sum := sha1.Sum([]byte(b.String()))
		digest = sum[:]
	}
	return rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), hash, digest, sig)
}

// call runs an operation that must succeed.
func call[I, O any](t *testing.T, e *env, op awsmodel.Op[I, O], in *I) *O {
	t.Helper()
	return kittest.Must[*O](t)(kittest.Call(e.Harness, region, op, in))
}
