package sns

import (
	"testing"
	"time"
)

func TestRetrySchedules(t *testing.T) {
	s := func(text string) retrySchedule {
		p, err := parseSubscriptionDeliveryPolicy(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return p.HealthyRetryPolicy.schedule()
	}
	for _, tc := range []struct {
		policy string
		want   []time.Duration // the delays before retries 1..n
	}{
		{`{"healthyRetryPolicy":{}}`, []time.Duration{20 * time.Second, 20 * time.Second, 20 * time.Second}},
		{`{"healthyRetryPolicy":{"numRetries":6,"numNoDelayRetries":1,"numMinDelayRetries":1,"numMaxDelayRetries":1,"minDelayTarget":2,"maxDelayTarget":32,"backoffFunction":"linear"}}`,
			[]time.Duration{0, 2 * time.Second, 12 * time.Second, 22 * time.Second, 32 * time.Second, 32 * time.Second}},
		{`{"healthyRetryPolicy":{"numRetries":3,"minDelayTarget":1,"maxDelayTarget":8,"backoffFunction":"geometric"}}`,
			[]time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{`{"healthyRetryPolicy":{"numRetries":3,"minDelayTarget":1,"maxDelayTarget":8,"backoffFunction":"exponential"}}`,
			[]time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{`{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":10,"maxDelayTarget":40,"backoffFunction":"arithmetic"}}`,
			[]time.Duration{20 * time.Second, 40 * time.Second}},
	} {
		sched := s(tc.policy)
		if sched.NumRetries != len(tc.want) {
			t.Errorf("%s: %d retries", tc.policy, sched.NumRetries)
			continue
		}
		for k, want := range tc.want {
			if got := sched.delay(k + 1); got != want {
				t.Errorf("%s: retry %d after %v, want %v", tc.policy, k+1, got, want)
			}
		}
	}
}

func TestDeliveryPolicyRefusals(t *testing.T) {
	for _, bad := range []string{
		`{"healthyRetryPolicy":{"numRetries":-1}}`,
		`{"healthyRetryPolicy":{"numRetries":2,"numNoDelayRetries":2,"numMaxDelayRetries":1}}`,
		`{"healthyRetryPolicy":{"minDelayTarget":0}}`,
		`{"healthyRetryPolicy":{"minDelayTarget":30,"maxDelayTarget":20}}`,
		`{"healthyRetryPolicy":{"maxDelayTarget":3601}}`,
		`{"healthyRetryPolicy":{"backoffFunction":"random"}}`,
		`{"healthyRetryPolicy":{"numRetries":100,"minDelayTarget":60,"maxDelayTarget":60}}`,
		`{"throttlePolicy":{"maxReceivesPerSecond":0}}`,
		`{"requestPolicy":{"headerContentType":"image/png"}}`,
		`{"unknown":true}`,
		`not json`,
	} {
		if _, err := parseSubscriptionDeliveryPolicy(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
