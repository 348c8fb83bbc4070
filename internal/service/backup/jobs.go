package backup

import (
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// jobRef names the record of one backup, copy or restore job: the Region of its records
// and its id. A copy job's records are in its source's Region.
//
// The step that ends a backup or copy job, once its data is moving, also names the AWS
// job and the bytes it moves, under names the admin API shows for every job
// (GET /_xregion/jobs lists each with its awsJobId and bytesTransferred). When the bytes
// will all have moved by then, it also says what moved where (transfer): the metrics
// count its bytes when the step has run (xregion_backup_bytes_transferred_total).
type jobRef struct {
	Account  string    `json:"account"`
	Region   string    `json:"region"`
	ID       string    `json:"id"`
	AWSJobID string    `json:"awsJobId,omitempty"`
	Bytes    *int64    `json:"bytesTransferred,omitempty"`
	Transfer *transfer `json:"transfer,omitempty"`
}

// transfer is what a backup or copy job moves: the kind of job (BACKUP or COPY), from
// and to which Region, of which resource type. Its JSON is the metrics package's to read.
type transfer struct {
	Job          string `json:"job"`
	Source       string `json:"source"`
	Destination  string `json:"destination"`
	ResourceType string `json:"resourceType"`
}

// The kinds of job a transfer names.
const (
	transferBackup = "BACKUP"
	transferCopy   = "COPY"
)

// moving is the reference of the step that ends a job moving bytes; t is what it moves,
// or nil when the job will be cut short before the bytes have all moved.
func (r jobRef) moving(bytes int64, t *transfer) jobRef {
	r.AWSJobID, r.Bytes, r.Transfer = r.ID, &bytes, t
	return r
}

// Subject implements kit.Subject: the steps of one job run in order.
func (r jobRef) Subject() (string, string, []string) { return r.Account, r.Region, []string{r.ID} }

func refIn(v kit.View, id string) jobRef {
	return jobRef{Account: v.Account(), Region: v.Region(), ID: id}
}

// planRun is the next run of a plan: the version it was armed for and the occurrence it
// fires. A plan updated or deleted since arms no more, so a stale run finds nothing to do.
type planRun struct {
	Account string    `json:"account"`
	Region  string    `json:"region"`
	ID      string    `json:"id"`
	Version string    `json:"version"`
	At      time.Time `json:"at"`
}

// Subject implements kit.Subject.
func (r planRun) Subject() (string, string, []string) { return r.Account, r.Region, []string{r.ID} }

// expiry is the end of a recovery point's lifecycle, as it was when armed: a lifecycle
// changed since arms another, and the stale one finds the date moved.
type expiry struct {
	Account string    `json:"account"`
	Region  string    `json:"region"`
	Vault   string    `json:"vault"`
	ARN     string    `json:"id"`
	At      time.Time `json:"at"`
}

// Subject implements kit.Subject.
func (e expiry) Subject() (string, string, []string) {
	return e.Account, e.Region, []string{e.Vault, e.ARN}
}

// Job kinds. Their names, and their payloads' JSON, are those of the first release, so
// that jobs pending in a data directory of that release still run.
var (
	jobBackup  = kit.Kind[jobRef]{Name: "backup.backup-job"}     // a backup job's next step
	jobCopy    = kit.Kind[jobRef]{Name: "backup.copy-job"}       // a copy job's next step
	jobRestore = kit.Kind[jobRef]{Name: "backup.restore-job"}    // a restore job's next step
	jobExpire  = kit.Kind[expiry]{Name: "backup.expire"}         // a recovery point's expiry
	jobPlan    = kit.Kind[planRun]{Name: "backup.plan-schedule"} // a plan's next run
)

func (s *Service) registerJobs() {
	jobBackup.Register(s.Kit, kit.Handler[jobRef]{Run: s.runBackupJob})
	jobCopy.Register(s.Kit, kit.Handler[jobRef]{Run: s.runCopyJob})
	jobRestore.Register(s.Kit, kit.Handler[jobRef]{Run: s.runRestoreJob})
	jobExpire.Register(s.Kit, kit.Handler[expiry]{Run: s.runExpire})
	jobPlan.Register(s.Kit, kit.Handler[planRun]{Run: s.runPlan})
	jobRestoreTest.Register(s.Kit, kit.Handler[planRun]{Run: s.runRestoreTest})
	jobRestoreCleanup.Register(s.Kit, kit.Handler[jobRef]{Run: s.runCleanup})
	jobReport.Register(s.Kit, kit.Handler[jobRef]{Run: s.runReportJob})
}

const (
	percentDone = "100.0"
	// copyRetryFor is how long a copy job that cannot start stays CREATED, retried every
	// retryEvery, before it fails (AWS Backup's documented two hours). A backup job
	// that cannot start is retried as often, until its start window closes.
	copyRetryFor = 2 * time.Hour
	retryEvery   = 10 * time.Minute
)

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func newJobID() string { return strings.ToUpper(ids.UUID()) }

// retriedJob finds the job of table t that an IdempotencyToken already started, or nil.
func retriedJob[T any](v kit.View, t kit.Table[T], token string) (*T, error) {
	if token == "" {
		return nil, nil
	}
	id := idOf(v, tokens, t.Kind, token)
	if id == "" {
		return nil, nil
	}
	return t.Get(v, id)
}

// rememberToken records the job of table t that an IdempotencyToken started.
func rememberToken[T any](v kit.View, t kit.Table[T], token, id string) error {
	if token == "" {
		return nil
	}
	return tokens.Put(v, []byte(id), t.Kind, token)
}

// failureText is what a job shows as its StatusMessage for a port.ErrCannotProtect.
func failureText(err error) string {
	text, _ := port.Failure(err)
	return text
}

// inRange reports whether t is inside the optional bounds (exclusive, as AWS's
// ByCreatedAfter and ByCreatedBefore are).
func inRange(t *time.Time, after, before *time.Time) bool {
	if after == nil && before == nil {
		return true
	}
	if t == nil {
		return false
	}
	return (after == nil || t.After(*after)) && (before == nil || t.Before(*before))
}

// jobFilters are the filters every list of jobs has, by state (a restore job's status),
// resource type, creation and completion.
type jobFilters struct {
	State, ResourceType           *string
	CreatedAfter, CreatedBefore   *time.Time
	CompleteAfter, CompleteBefore *time.Time
}

// pass reports whether a job passes the filters.
func (f jobFilters) pass(state, resourceType string, created time.Time, completed *time.Time) bool {
	return matches(f.State, state) && matches(f.ResourceType, resourceType) &&
		inRange(&created, f.CreatedAfter, f.CreatedBefore) && inRange(completed, f.CompleteAfter, f.CompleteBefore)
}

// matches reports whether an optional filter lets a value through: it is unset, or the
// value is the filter's.
func matches(filter *string, value string) bool { return filter == nil || *filter == value }

// readRecord reads the record of t that id names in the caller's account and Region, or
// answers notFound's error for id.
func readRecord[T any](s *Service, c kit.Call, t kit.Table[T], id string, notFound awserr.Message) (*T, error) {
	return kit.Read(s.Kit, func(tx kit.Tx) (*T, error) {
		rec, err := t.Get(c.In(tx), id)
		if err == nil && rec == nil {
			err = notFound.New(id)
		}
		return rec, err
	})
}
