package sns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// HTTP/S delivery policies: how SNS retries a delivery that failed, on a topic
// (DeliveryPolicy {"http": {...}}) and on a subscription ({"healthyRetryPolicy": ...}),
// and the retry schedule they make.

// retryPolicy is a healthyRetryPolicy. Absent fields take AWS's defaults.
type retryPolicy struct {
	MinDelayTarget     *int   `json:"minDelayTarget,omitempty"`
	MaxDelayTarget     *int   `json:"maxDelayTarget,omitempty"`
	NumRetries         *int   `json:"numRetries,omitempty"`
	NumMaxDelayRetries *int   `json:"numMaxDelayRetries,omitempty"`
	NumNoDelayRetries  *int   `json:"numNoDelayRetries,omitempty"`
	NumMinDelayRetries *int   `json:"numMinDelayRetries,omitempty"`
	BackoffFunction    string `json:"backoffFunction,omitempty"`
}

// retrySchedule is a retry policy with every field known, in the order AWS writes it.
type retrySchedule struct {
	MinDelayTarget     int    `json:"minDelayTarget"`
	MaxDelayTarget     int    `json:"maxDelayTarget"`
	NumRetries         int    `json:"numRetries"`
	NumMaxDelayRetries int    `json:"numMaxDelayRetries"`
	NumNoDelayRetries  int    `json:"numNoDelayRetries"`
	NumMinDelayRetries int    `json:"numMinDelayRetries"`
	BackoffFunction    string `json:"backoffFunction"`
}

// defaultSchedule is AWS's default for HTTP/S: three retries, 20 seconds apart.
var defaultSchedule = retrySchedule{MinDelayTarget: 20, MaxDelayTarget: 20, NumRetries: 3, BackoffFunction: "linear"}

type throttlePolicy struct {
	MaxReceivesPerSecond int `json:"maxReceivesPerSecond"`
}

type requestPolicy struct {
	HeaderContentType string `json:"headerContentType"`
}

// defaultContentType is the Content-Type SNS posts with unless a request policy says
// otherwise.
const defaultContentType = "text/plain; charset=UTF-8"

// contentTypes are the headerContentType values AWS accepts.
var contentTypes = []string{"application/json", "application/xml", "text/plain", "text/html", "text/xml"}

// topicDeliveryPolicy is a topic's DeliveryPolicy attribute.
type topicDeliveryPolicy struct {
	HTTP *httpDefaults `json:"http,omitempty"`
}

type httpDefaults struct {
	DefaultHealthyRetryPolicy    *retryPolicy    `json:"defaultHealthyRetryPolicy,omitempty"`
	DisableSubscriptionOverrides bool            `json:"disableSubscriptionOverrides"`
	DefaultThrottlePolicy        *throttlePolicy `json:"defaultThrottlePolicy,omitempty"`
	DefaultRequestPolicy         *requestPolicy  `json:"defaultRequestPolicy,omitempty"`
}

// subscriptionDeliveryPolicy is a subscription's DeliveryPolicy attribute.
type subscriptionDeliveryPolicy struct {
	HealthyRetryPolicy *retryPolicy    `json:"healthyRetryPolicy,omitempty"`
	ThrottlePolicy     *throttlePolicy `json:"throttlePolicy,omitempty"`
	RequestPolicy      *requestPolicy  `json:"requestPolicy,omitempty"`
}

// decodeStrict reads a JSON object into v, refusing unknown fields.
func decodeStrict(text string, v any) error {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return msgDeliveryPolicy.New(reasonNotDeliveryPolicy.with(err))
	}
	return nil
}

// parseTopicDeliveryPolicy reads and checks a topic's DeliveryPolicy.
func parseTopicDeliveryPolicy(text string) (topicDeliveryPolicy, error) {
	var p topicDeliveryPolicy
	if err := decodeStrict(text, &p); err != nil {
		return p, err
	}
	if p.HTTP == nil {
		return p, nil
	}
	if err := checkRetry(p.HTTP.DefaultHealthyRetryPolicy); err != nil {
		return p, err
	}
	return p, checkThrottleAndRequest(p.HTTP.DefaultThrottlePolicy, p.HTTP.DefaultRequestPolicy)
}

// parseSubscriptionDeliveryPolicy reads and checks a subscription's DeliveryPolicy.
func parseSubscriptionDeliveryPolicy(text string) (subscriptionDeliveryPolicy, error) {
	var p subscriptionDeliveryPolicy
	if err := decodeStrict(text, &p); err != nil {
		return p, err
	}
	if err := checkRetry(p.HealthyRetryPolicy); err != nil {
		return p, err
	}
	return p, checkThrottleAndRequest(p.ThrottlePolicy, p.RequestPolicy)
}

func checkThrottleAndRequest(t *throttlePolicy, r *requestPolicy) error {
	if t != nil && t.MaxReceivesPerSecond < 1 {
		return msgDeliveryPolicy.New(reasonThrottle.with())
	}
	if r != nil {
		media, _, _ := strings.Cut(r.HeaderContentType, ";")
		if !slices.Contains(contentTypes, strings.TrimSpace(media)) {
			return msgDeliveryPolicy.New(reasonContentType.with(r.HeaderContentType))
		}
	}
	return nil
}

// checkRetry applies AWS's limits to a retry policy.
func checkRetry(p *retryPolicy) error {
	if p == nil {
		return nil
	}
	s := p.schedule()
	switch {
	case s.NumRetries < 0 || s.NumRetries > 100:
		return msgDeliveryPolicy.New(reasonNumRetries.with())
	case s.NumNoDelayRetries < 0 || s.NumMinDelayRetries < 0 || s.NumMaxDelayRetries < 0:
		return msgDeliveryPolicy.New(reasonNegative.with())
	case s.NumNoDelayRetries+s.NumMinDelayRetries+s.NumMaxDelayRetries > s.NumRetries:
		return msgDeliveryPolicy.New(reasonPhases.with())
	case s.MinDelayTarget < 1 || s.MinDelayTarget > s.MaxDelayTarget:
		return msgDeliveryPolicy.New(reasonMinDelay.with())
	case s.MaxDelayTarget > 3600:
		return msgDeliveryPolicy.New(reasonMaxDelay.with())
	case !slices.Contains([]string{"linear", "arithmetic", "geometric", "exponential"}, s.BackoffFunction):
		return msgDeliveryPolicy.New(reasonBackoff.with())
	case s.total() > time.Hour:
		return msgDeliveryPolicy.New(reasonTotal.with())
	}
	return nil
}

// schedule fills in the defaults.
func (p *retryPolicy) schedule() retrySchedule {
	s := defaultSchedule
	if p == nil {
		return s
	}
	for _, f := range []struct {
		src *int
		dst *int
	}{
		{p.MinDelayTarget, &s.MinDelayTarget}, {p.MaxDelayTarget, &s.MaxDelayTarget}, {p.NumRetries, &s.NumRetries},
		{p.NumMaxDelayRetries, &s.NumMaxDelayRetries}, {p.NumNoDelayRetries, &s.NumNoDelayRetries}, {p.NumMinDelayRetries, &s.NumMinDelayRetries},
	} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if p.BackoffFunction != "" {
		s.BackoffFunction = strings.ToLower(p.BackoffFunction)
	}
	if p.MinDelayTarget != nil && p.MaxDelayTarget == nil && s.MaxDelayTarget < s.MinDelayTarget {
		s.MaxDelayTarget = s.MinDelayTarget
	}
	return s
}

// delay is how long SNS waits before retry k (1 is the first retry). The immediate
// phase does not wait, the pre-backoff phase waits minDelayTarget, the post-backoff
// phase maxDelayTarget, and the backoff phase climbs from one to the other along the
// backoff function. AWS draws the four functions only as curves: xregion takes linear
// steps, arithmetic ones (growing increments), geometric ones (a constant ratio) and
// exponential ones (doubling increments), without AWS's jitter, so that tests can move
// the clock to the exact instant of a retry.
func (s retrySchedule) delay(k int) time.Duration {
	backoff := s.NumRetries - s.NumNoDelayRetries - s.NumMinDelayRetries - s.NumMaxDelayRetries
	switch {
	case k <= s.NumNoDelayRetries:
		return 0
	case k <= s.NumNoDelayRetries+s.NumMinDelayRetries:
		return seconds(float64(s.MinDelayTarget))
	case k > s.NumNoDelayRetries+s.NumMinDelayRetries+backoff:
		return seconds(float64(s.MaxDelayTarget))
	}
	j := k - s.NumNoDelayRetries - s.NumMinDelayRetries
	lo, hi := float64(s.MinDelayTarget), float64(s.MaxDelayTarget)
	x := float64(j) / float64(backoff)
	switch s.BackoffFunction {
	case "arithmetic":
		return seconds(lo + (hi-lo)*float64(j*(j+1))/float64(backoff*(backoff+1)))
	case "geometric":
		return seconds(lo * math.Pow(hi/lo, x))
	case "exponential":
		return seconds(lo + (hi-lo)*(math.Pow(2, float64(j))-1)/(math.Pow(2, float64(backoff))-1))
	}
	return seconds(lo + (hi-lo)*x)
}

// total is the time all retries take.
func (s retrySchedule) total() time.Duration {
	var t time.Duration
	for k := 1; k <= s.NumRetries; k++ {
		t += s.delay(k)
	}
	return t
}

func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// effectiveDelivery is the policy a delivery follows: the subscription's own, unless
// the topic disables overrides, then the topic's defaults, then AWS's.
type effectiveDelivery struct {
	Retry       retrySchedule
	Throttle    *throttlePolicy
	ContentType string
}

func deliveryFor(topic *topicRecord, sub *subscriptionRecord) effectiveDelivery {
	e := effectiveDelivery{Retry: defaultSchedule, ContentType: defaultContentType}
	overrides := true
	if tp, err := parseTopicDeliveryPolicy(topicAttr(topic, attrDeliveryPolicy)); err == nil && tp.HTTP != nil {
		if tp.HTTP.DefaultHealthyRetryPolicy != nil {
			e.Retry = tp.HTTP.DefaultHealthyRetryPolicy.schedule()
		}
		if tp.HTTP.DefaultRequestPolicy != nil {
			e.ContentType = tp.HTTP.DefaultRequestPolicy.HeaderContentType
		}
		e.Throttle, overrides = tp.HTTP.DefaultThrottlePolicy, !tp.HTTP.DisableSubscriptionOverrides
	}
	if sub == nil || !overrides {
		return e
	}
	if sp, err := parseSubscriptionDeliveryPolicy(sub.Attributes[attrDeliveryPolicy]); err == nil {
		if sp.HealthyRetryPolicy != nil {
			e.Retry = sp.HealthyRetryPolicy.schedule()
		}
		if sp.ThrottlePolicy != nil {
			e.Throttle = sp.ThrottlePolicy
		}
		if sp.RequestPolicy != nil {
			e.ContentType = sp.RequestPolicy.HeaderContentType
		}
	}
	return e
}

func topicAttr(topic *topicRecord, name string) string {
	if topic == nil {
		return ""
	}
	if v, ok := topic.Attributes[name]; ok {
		return v
	}
	return "{}"
}

// topicEffectiveDeliveryPolicy is a topic's EffectiveDeliveryPolicy, in AWS's form.
func topicEffectiveDeliveryPolicy(topic *topicRecord) string {
	e := deliveryFor(topic, nil)
	disable := false
	if tp, err := parseTopicDeliveryPolicy(topicAttr(topic, attrDeliveryPolicy)); err == nil && tp.HTTP != nil {
		disable = tp.HTTP.DisableSubscriptionOverrides
	}
	out := struct {
		HTTP struct {
			DefaultHealthyRetryPolicy    retrySchedule   `json:"defaultHealthyRetryPolicy"`
			DisableSubscriptionOverrides bool            `json:"disableSubscriptionOverrides"`
			DefaultThrottlePolicy        *throttlePolicy `json:"defaultThrottlePolicy,omitempty"`
			DefaultRequestPolicy         requestPolicy   `json:"defaultRequestPolicy"`
		} `json:"http"`
	}{}
	out.HTTP.DefaultHealthyRetryPolicy, out.HTTP.DisableSubscriptionOverrides = e.Retry, disable
	out.HTTP.DefaultThrottlePolicy, out.HTTP.DefaultRequestPolicy = e.Throttle, requestPolicy{HeaderContentType: e.ContentType}
	return compactJSON(out)
}

// subscriptionEffectiveDeliveryPolicy is a subscription's EffectiveDeliveryPolicy, in
// AWS's form.
func subscriptionEffectiveDeliveryPolicy(topic *topicRecord, sub *subscriptionRecord) string {
	e := deliveryFor(topic, sub)
	out := struct {
		HealthyRetryPolicy retrySchedule   `json:"healthyRetryPolicy"`
		SicklyRetryPolicy  *retrySchedule  `json:"sicklyRetryPolicy"`
		ThrottlePolicy     *throttlePolicy `json:"throttlePolicy"`
		RequestPolicy      requestPolicy   `json:"requestPolicy"`
		Guaranteed         bool            `json:"guaranteed"`
	}{HealthyRetryPolicy: e.Retry, ThrottlePolicy: e.Throttle, RequestPolicy: requestPolicy{HeaderContentType: e.ContentType}}
	return compactJSON(out)
}

// compactJSON writes v as JSON without HTML escaping, as AWS writes its documents.
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("sns: encoding %T: %v", v, err))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
