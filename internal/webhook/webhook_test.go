package webhook_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/service/port"
	"github.com/xregion/xregion/internal/webhook"
)

// result waits for a post's outcome.
func result(t *testing.T, ch <-chan port.WebhookResult) port.WebhookResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("the post never ended")
		return port.WebhookResult{}
	}
}

func TestPosterPostsAndReports(t *testing.T) {
	got := make(chan *http.Request, 1)
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		got <- r
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	p := webhook.NewPoster("http://127.0.0.1:4566")
	defer p.Stop(context.Background())
	ch := make(chan port.WebhookResult, 1)
	p.Post(port.WebhookPost{URL: srv.URL + "/hook", Header: map[string]string{"x-amz-sns-message-type": "Notification"}, Body: []byte("hello"), Timeout: 5 * time.Second},
		func(r port.WebhookResult) { ch <- r })
	if r := result(t, ch); r.Status != http.StatusAccepted || r.Err != nil {
		t.Fatalf("result = %+v", r)
	}
	r := <-got
	if r.Method != http.MethodPost || r.URL.Path != "/hook" || r.Header.Get("X-Amz-Sns-Message-Type") != "Notification" || body != "hello" {
		t.Errorf("request %s %s %v %q", r.Method, r.URL, r.Header, body)
	}
}

func TestPosterFollowsNoRedirectAndTimesOut(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-block
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	defer close(block)
	p := webhook.NewPoster("http://127.0.0.1:4566")
	defer p.Stop(context.Background())
	ch := make(chan port.WebhookResult, 2)
	p.Post(port.WebhookPost{URL: srv.URL + "/moved", Timeout: 5 * time.Second}, func(r port.WebhookResult) { ch <- r })
	if r := result(t, ch); r.Status != http.StatusFound {
		t.Errorf("redirect result = %+v", r)
	}
	p.Post(port.WebhookPost{URL: srv.URL + "/slow", Timeout: 50 * time.Millisecond}, func(r port.WebhookResult) { ch <- r })
	if r := result(t, ch); r.Err == nil || !errors.Is(r.Err, context.DeadlineExceeded) {
		t.Errorf("slow endpoint result = %+v", r)
	}
	p.Post(port.WebhookPost{URL: "http://127.0.0.1:1/closed", Timeout: 5 * time.Second}, func(r port.WebhookResult) { ch <- r })
	if r := result(t, ch); r.Err == nil {
		t.Errorf("refused connection result = %+v", r)
	}
}

func TestPosterStopCancelsWhatIsLeft(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block) // before srv.Close, which waits for the handler
	p := webhook.NewPoster("http://127.0.0.1:4566")
	ch := make(chan port.WebhookResult, 2)
	p.Post(port.WebhookPost{URL: srv.URL, Timeout: time.Minute}, func(r port.WebhookResult) { ch <- r })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := p.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop = %v", err)
	}
	if r := result(t, ch); r.Err == nil {
		t.Errorf("cancelled post result = %+v", r)
	}
	p.Post(port.WebhookPost{URL: srv.URL, Timeout: time.Minute}, func(r port.WebhookResult) { ch <- r })
	if r := result(t, ch); r.Err == nil {
		t.Errorf("post after Stop = %+v", r)
	}
}

func TestListenerURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:4566": "http://127.0.0.1:4566", "0.0.0.0:4566": "http://127.0.0.1:4566",
		"[::]:4566": "http://[::1]:4566", "localhost:80": "http://localhost:80",
	} {
		if got := webhook.ListenerURL(addr); got != want {
			t.Errorf("ListenerURL(%s) = %s, want %s", addr, got, want)
		}
	}
}

// fakeSNS records what the links handler asks.
type fakeSNS struct{ calls []string }

func (f *fakeSNS) ConfirmLink(region, topicARN, token string) (string, error) {
	f.calls = append(f.calls, "confirm "+region+" "+topicARN+" "+token)
	if token == "bad" {
		return "", snsapi.ErrInvalidParameter.New("Invalid parameter: Token")
	}
	return topicARN + ":id", nil
}

func (f *fakeSNS) UnsubscribeLink(region, subscriptionARN string) error {
	f.calls = append(f.calls, "unsubscribe "+region+" "+subscriptionARN)
	return nil
}

func (f *fakeSNS) SigningCertificate(region, name string) ([]byte, error) {
	if name == "SimpleNotificationService-abc.pem" {
		return []byte("-----BEGIN CERTIFICATE-----\n"), nil
	}
	return nil, nil
}

func TestLinks(t *testing.T) {
	f := &fakeSNS{}
	h := webhook.Links(f)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	topic := "arn:aws:sns:eu-west-1:123456789012:alerts"
	rec := get("/_aws/sns/eu-west-1/?Action=ConfirmSubscription&TopicArn=" + topic + "&Token=tok")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<ConfirmSubscriptionResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><ConfirmSubscriptionResult><SubscriptionArn>"+topic+":id</SubscriptionArn>") {
		t.Errorf("confirm: %d %s", rec.Code, rec.Body)
	}
	rec = get("/_aws/sns/eu-west-1/?Action=ConfirmSubscription&TopicArn=" + topic + "&Token=bad")
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "<Code>InvalidParameter</Code><Message>Invalid parameter: Token</Message>") {
		t.Errorf("bad token: %d %s", rec.Code, rec.Body)
	}
	rec = get("/_aws/sns/eu-west-1/?Action=Unsubscribe&SubscriptionArn=" + topic + ":id")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<UnsubscribeResponse") {
		t.Errorf("unsubscribe: %d %s", rec.Code, rec.Body)
	}
	if rec = get("/_aws/sns/eu-west-1/?Action=Publish"); rec.Code != 400 || !strings.Contains(rec.Body.String(), "InvalidAction") {
		t.Errorf("another action: %d %s", rec.Code, rec.Body)
	}
	if rec = get("/_aws/sns/eu-west-1/SimpleNotificationService-abc.pem"); rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "-----BEGIN CERTIFICATE") {
		t.Errorf("certificate: %d %s", rec.Code, rec.Body)
	}
	for _, missing := range []string{"/_aws/sns/eu-west-1/SimpleNotificationService-x.pem", "/_aws/sns/mars-1/x.pem", "/_aws/other/"} {
		if rec = get(missing); rec.Code != 404 {
			t.Errorf("%s: %d", missing, rec.Code)
		}
	}
	if rec = get("/"); rec.Code != http.StatusNotFound {
		t.Errorf("other paths: %d", rec.Code)
	}
	post := httptest.NewRecorder()
	h.ServeHTTP(post, httptest.NewRequest(http.MethodPost, "/_aws/sns/eu-west-1/?Action=Unsubscribe", nil))
	if post.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", post.Code)
	}
	if len(f.calls) != 3 || f.calls[0] != "confirm eu-west-1 "+topic+" tok" {
		t.Errorf("calls = %q", f.calls)
	}
}
