package dynamodb

import (
	"strconv"

	"github.com/xregion/xregion/internal/service/kit"
)

// tableRef names one table for a job; ID tells it from a later table of the same name.
type tableRef struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Table   string `json:"table"`
	ID      string `json:"id"`
}

// Subject implements kit.Subject: jobs of one kind about one table run in order.
func (r tableRef) Subject() (string, string, []string) { return r.Account, r.Region, []string{r.Table} }

func refOf(v kit.View, rec *tableRecord) tableRef {
	return tableRef{Account: v.Account(), Region: v.Region(), Table: rec.Name, ID: rec.ID}
}

// ttlPayload is a TTL job: the end of ENABLING or DISABLING, or a sweep.
type ttlPayload struct {
	tableRef
	Step string `json:"step"`
}

const (
	ttlSettle = "settle"
	ttlSweep  = "sweep"
)

// replicaPayload is work on one replica of a global table: Source is the Region whose
// table the work starts from, Replica the Region it is done in.
type replicaPayload struct {
	Account string `json:"account"`
	Table   string `json:"table"`
	Source  string `json:"source"`
	Replica string `json:"replica"`
	// Step is what to do: create the replica, ship the outbox, remove the replica,
	// take the source Region off the replica's list, or change the replica's TTL.
	Step string `json:"step"`
	// TTL is the setting a ttl step gives the replica.
	TTL *ttlChange `json:"ttl,omitempty"`
}

// ttlChange is an UpdateTimeToLive made in one Region, on its way to the others.
type ttlChange struct {
	Attr    string `json:"attr"`
	Enabled bool   `json:"enabled"`
}

// Subject implements kit.Subject: all the work between two Regions of one table runs in
// one queue, in order (a replica is created before anything is shipped to it).
func (p replicaPayload) Subject() (string, string, []string) {
	return p.Account, p.Replica, []string{p.Table, p.Source}
}

const (
	replicaCreate = "create"
	replicaShip   = "ship"
	replicaRemove = "remove"
	replicaForget = "forget"
	replicaSync   = "sync"
	replicaTTL    = "ttl"
)

// backupRef names one backup.
type backupRef struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	ID      string `json:"id"`
}

// Subject implements kit.Subject.
func (r backupRef) Subject() (string, string, []string) { return r.Account, r.Region, []string{r.ID} }

// Job kinds.
var (
	jobSettle    = kit.Kind[tableRef]{Name: "dynamodb.settle"}          // a table's CREATING, UPDATING or DELETING ends
	jobTTL       = kit.Kind[ttlPayload]{Name: "dynamodb.ttl"}           // TTL settles, expired items go
	jobPrune     = kit.Kind[tableRef]{Name: "dynamodb.prune"}           // history past the recovery period goes
	jobReplicate = kit.Kind[replicaPayload]{Name: "dynamodb.replicate"} // a global table's replicas
	jobBackup    = kit.Kind[backupRef]{Name: "dynamodb.backup"}         // a backup becomes AVAILABLE
)

// replicationAttempts is how often a replication job tries before it gives up: as good
// as forever (with the engine's backoff of at most five minutes, years), because a
// replica catches up whenever its Region comes back, however long it was away.
const replicationAttempts = 1 << 30

func (s *Service) registerJobs() {
	jobSettle.Register(s.Kit, kit.Handler[tableRef]{Run: s.runSettle})
	jobTTL.Register(s.Kit, kit.Handler[ttlPayload]{Run: s.runTTL})
	jobPrune.Register(s.Kit, kit.Handler[tableRef]{Run: s.runPrune})
	jobReplicate.Register(s.Kit, kit.Handler[replicaPayload]{Run: s.runReplicate, MaxAttempts: replicationAttempts})
	jobBackup.Register(s.Kit, kit.Handler[backupRef]{Run: s.runBackup})
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
