package sns

import (
	"context"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
)

// subscriptionJob names a subscription, for its expiry.
type subscriptionJob struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Topic   string `json:"topic"`
	ID      string `json:"id"`
}

func (p subscriptionJob) Subject() (string, string, []string) {
	return p.Account, p.Region, []string{p.Topic, p.ID}
}

// Job kinds.
var (
	jobDeliver = kit.Kind[deliveryJob]{Name: "sns.deliver"}    // an attempt at a delivery (delivery.go)
	jobExpire  = kit.Kind[subscriptionJob]{Name: "sns.expire"} // a pending subscription's token has expired
)

func (s *Service) registerJobs() {
	jobDeliver.Register(s.Kit, kit.Handler[deliveryJob]{Run: s.runDelivery})
	jobExpire.Register(s.Kit, kit.Handler[subscriptionJob]{Run: func(ctx context.Context, tx kit.Tx, _ *jobs.Job, p subscriptionJob) error {
		return s.expireSubscription(ctx, tx, p)
	}})
}
