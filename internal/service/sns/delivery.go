package sns

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Deliveries. Every message on its way to an HTTP/S endpoint is a delivery record and
// one pending job, the next attempt. An attempt runs in a job: it builds and signs the
// POST, arms the attempt after it as a guard (due once the POST has surely timed out and
// the retry delay has passed), and hands the POST to the port.Webhooks when the
// transaction commits, so that no endpoint is ever waited on inside a transaction. The
// outcome comes back outside any transaction (settle): delivered or refused ends the
// delivery, a failure replaces the guard by the retry the delivery policy schedules,
// on the job engine's clock. If the outcome never comes back (the server stopped), the
// guard makes the retry; a late outcome of an attempt that a later one has overtaken is
// ignored.

// deliveryTimeout is how long SNS waits for an HTTP/S endpoint to answer, as AWS does.
const deliveryTimeout = 15 * time.Second

// deliveryJob is one attempt at one delivery: Attempt 0 is the first POST, n the n-th
// retry; an attempt beyond the policy's retries gives the delivery up.
type deliveryJob struct {
	Account      string `json:"account"`
	Region       string `json:"region"`
	Topic        string `json:"topic"`
	Subscription string `json:"subscription"`
	Message      string `json:"message"`
	Attempt      int    `json:"attempt"`
}

func (d deliveryJob) Subject() (string, string, []string) {
	return d.Account, d.Region, []string{d.Topic, d.Subscription, d.Message}
}

func (d deliveryJob) aad() []byte {
	return []byte("xregion/sns/delivery\x00" + d.Account + "\x00" + d.Region + "\x00" + d.Topic + "\x00" + d.Subscription + "\x00" + d.Message)
}

func (d deliveryJob) record(v kit.View) (*deliveryRecord, error) {
	return deliveries.Get(v, d.Topic, d.Subscription, d.Message)
}

// deliver starts the delivery of env to a subscription: its record, sealed, and its
// first attempt, after the engine's transition delay.
func (s *Service) deliver(tx kit.Tx, v kit.View, sub *subscriptionRecord, env envelope) error {
	p := deliveryJob{Account: v.Account(), Region: v.Region(), Topic: sub.Topic, Subscription: sub.ID, Message: env.MessageID}
	plain, err := json.Marshal(env)
	if err != nil {
		return err
	}
	job, err := jobDeliver.Enqueue(tx, s.After(), p)
	if err != nil {
		return err
	}
	rec := &deliveryRecord{Sealed: s.Sealer.Seal(plain, p.aad()), Guard: job}
	return deliveries.Put(v, rec, p.Topic, p.Subscription, p.Message)
}

// deliverable reports whether a message still has somewhere to go: a notification to a
// confirmed subscription, a SubscriptionConfirmation to a pending one. An
// UnsubscribeConfirmation goes to a subscription that no longer exists.
func deliverable(env *envelope, sub *subscriptionRecord) bool {
	switch env.Type {
	case typeNotification:
		return sub != nil && !sub.Pending
	case typeSubscriptionConfirmation:
		return sub != nil && sub.Pending
	}
	return true
}

// runDelivery makes one attempt.
func (s *Service) runDelivery(_ context.Context, tx kit.Tx, _ *jobs.Job, p deliveryJob) error {
	v := tx.In(p.Account, p.Region)
	rec, err := p.record(v)
	if err != nil || rec == nil || rec.Next != p.Attempt {
		return err // delivered, given up, or overtaken by a later attempt
	}
	env, err := s.openEnvelope(rec, p)
	if err != nil {
		return jobs.Permanent(err)
	}
	topic, sub, err := topicAndSubscription(v, p)
	if err != nil {
		return err
	}
	policy := deliveryFor(topic, sub)
	if !deliverable(env, sub) || p.Attempt > policy.Retry.NumRetries {
		s.Log.Warn("sns: delivery ended without success", "subscription", subscriptionRef{Topic: topicOf(v, p.Topic), ID: p.Subscription}.ARN(), "message", p.Message, "attempts", p.Attempt)
		return deliveries.Delete(v, p.Topic, p.Subscription, p.Message)
	}
	sg, err := s.signerIn(tx, p.Region)
	if err != nil {
		return err
	}
	post, err := env.post(sg, linksFor(s.hooks.Endpoint(), p.Region), policy.ContentType, deliveryTimeout)
	if err != nil {
		return err
	}
	next := p
	next.Attempt++
	if rec.Guard, err = jobDeliver.Enqueue(tx, s.Clock.Now().Add(deliveryTimeout+policy.Retry.delay(next.Attempt)), next); err != nil {
		return err
	}
	rec.Next = next.Attempt
	if err := deliveries.Put(v, rec, p.Topic, p.Subscription, p.Message); err != nil {
		return err
	}
	tx.OnCommit(func() { s.hooks.Post(post, func(r port.WebhookResult) { s.settle(p, r) }) })
	return nil
}

func (s *Service) openEnvelope(rec *deliveryRecord, p deliveryJob) (*envelope, error) {
	plain, err := s.Sealer.Open(rec.Sealed, p.aad())
	if err != nil {
		return nil, fmt.Errorf("sns: opening delivery %s: %w", p.Message, err)
	}
	var env envelope
	if err := json.Unmarshal(plain, &env); err != nil {
		return nil, fmt.Errorf("sns: decoding delivery %s: %w", p.Message, err)
	}
	return &env, nil
}

func topicAndSubscription(v kit.View, p deliveryJob) (*topicRecord, *subscriptionRecord, error) {
	topic, err := topics.Get(v, p.Topic)
	if err != nil {
		return nil, nil, err
	}
	sub, err := subscriptions.Get(v, p.Topic, p.Subscription)
	return topic, sub, err
}

// outcome is what an endpoint's answer means for a delivery.
type outcome int

const (
	delivered outcome = iota // 2xx
	refused                  // 4xx: the endpoint does not want it; retrying cannot help
	failed                   // no answer, a timeout, or another status: retry
)

func outcomeOf(r port.WebhookResult) outcome {
	switch {
	case r.Err == nil && r.Status >= 200 && r.Status < 300:
		return delivered
	case r.Err == nil && r.Status >= 400 && r.Status < 500:
		return refused
	}
	return failed
}

// settle records the outcome of attempt p, outside any transaction.
func (s *Service) settle(p deliveryJob, r port.WebhookResult) {
	err := s.Update(func(tx kit.Tx) error {
		v := tx.In(p.Account, p.Region)
		rec, err := p.record(v)
		if err != nil || rec == nil || rec.Next != p.Attempt+1 {
			return err // a later attempt has begun (the guard ran), or the delivery ended
		}
		o := outcomeOf(r)
		s.logAttempt(p, r, o)
		if err := tx.CancelJobs(rec.Guard); err != nil {
			return err
		}
		topic, sub, err := topicAndSubscription(v, p)
		if err != nil {
			return err
		}
		retry := policyRetry(topic, sub)
		if o != failed || p.Attempt+1 > retry.NumRetries {
			return deliveries.Delete(v, p.Topic, p.Subscription, p.Message)
		}
		next := p
		next.Attempt++
		rec.Guard, err = jobDeliver.Enqueue(tx, s.Clock.Now().Add(retry.delay(next.Attempt)), next)
		if err != nil {
			return err
		}
		return deliveries.Put(v, rec, p.Topic, p.Subscription, p.Message)
	})
	if err != nil {
		s.Log.Error("sns: recording a delivery attempt", "message", p.Message, "attempt", p.Attempt, "err", err)
	}
}

func policyRetry(topic *topicRecord, sub *subscriptionRecord) retrySchedule {
	return deliveryFor(topic, sub).Retry
}

func (s *Service) logAttempt(p deliveryJob, r port.WebhookResult, o outcome) {
	attrs := []any{"topic", p.Topic, "subscription", p.Subscription, "message", p.Message, "attempt", p.Attempt, "status", r.Status}
	switch o {
	case delivered:
		s.Log.Debug("sns: delivered", attrs...)
	case refused:
		s.Log.Warn("sns: the endpoint refused a delivery; not retrying", attrs...)
	default:
		s.Log.Warn("sns: delivery attempt failed", append(attrs, "err", r.Err)...)
	}
}
