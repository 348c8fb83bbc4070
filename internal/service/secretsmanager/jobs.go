package secretsmanager

import "github.com/xregion/xregion/internal/service/kit"

// secretRef names one secret for a job: the suffix tells it from a later secret of the
// same name.
type secretRef struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Name    string `json:"name"`
	Suffix  string `json:"suffix"`
}

// Subject implements kit.Subject: jobs of one kind for one secret run in order.
func (r secretRef) Subject() (string, string, []string) { return r.Account, r.Region, []string{r.Name} }

func refOf(v kit.View, rec *secretRecord) secretRef {
	return secretRef{Account: v.Account(), Region: v.Region(), Name: rec.Name, Suffix: rec.Suffix}
}

// syncPayload names one replica of one primary secret.
type syncPayload struct {
	Account string `json:"account"`
	Primary string `json:"primary"`
	Name    string `json:"name"`
	Replica string `json:"replica"`
}

// Subject implements kit.Subject: the jobs of one replica run in order, in its Region.
func (p syncPayload) Subject() (string, string, []string) {
	return p.Account, p.Replica, []string{p.Primary, p.Name}
}

// rotationPayload names the secret of a rotation job and what the job does: "scheduled"
// rotates at the start of a window; "finish" promotes the AWSPENDING version that
// RotateSecret wrote.
type rotationPayload struct {
	secretRef
	Step    string `json:"step"`
	Version string `json:"version,omitempty"`
}

const (
	stepScheduled = "scheduled"
	stepFinish    = "finish"
)

// Job kinds.
var (
	jobSync   = kit.Kind[syncPayload]{Name: "secretsmanager.sync"}       // a replica made to match its primary
	jobDelete = kit.Kind[secretRef]{Name: "secretsmanager.delete"}       // the end of a recovery window
	jobRotate = kit.Kind[rotationPayload]{Name: "secretsmanager.rotate"} // a rotation, scheduled or finishing
)

func (s *Service) registerJobs() {
	jobSync.Register(s.Kit, kit.Handler[syncPayload]{Run: s.runSync, GiveUp: s.giveUpSync})
	jobDelete.Register(s.Kit, kit.Handler[secretRef]{Run: s.runDelete})
	jobRotate.Register(s.Kit, kit.Handler[rotationPayload]{Run: s.runRotate})
}
