package jobs

import (
	"container/heap"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// Several nodes may share one store (--store postgres://…). Each runs an Engine with
// Config.Shared set, and they coordinate through records in that store alone:
//
//	_xregion/nodes/<node>     a node's heartbeat: {beat, at}; rewritten every Lease/4
//	_xregion/leases/<job id>  the node that claimed the job: {node, since}
//	_xregion/advance          the node moving the clock, while it does
//
// A job is claimed in a serialisable transaction of its own (claim) before it runs, and
// its run's transaction checks the claim is still the node's and deletes it with the job.
// So two nodes never run one job at once, and the run that commits is the only one:
// if a node was wrongly presumed dead, its run and the taker's claim touch the same
// lease record and one of the two transactions fails.
//
// A lease has no expiry of its own: it lasts while its node is alive, and a node is
// alive while its heartbeat record keeps changing. Each node watches the others' beats
// on its own wall clock (Config.Wall) and presumes a node dead once its beat has not
// changed for Config.Lease. Two choices are written down here:
//
//   - Liveness is measured on the wall clock, never the movable clock. Moving the clock
//     by days (AdvanceTo) would otherwise expire every live node's leases at once and
//     hand jobs in progress to a second node; and a frozen clock would never expire a
//     dead node's. Whether a process is alive is a matter of real seconds.
//   - A beat is judged by when this node saw it change, not by the time written in it,
//     so nodes on machines whose clocks disagree still agree on who is alive. The cost
//     is that a node that starts after another died waits one Lease before taking over.
//
// One heartbeat renews all of a node's leases, so renewing costs one small write per
// Lease/4 whatever the number of jobs, and never conflicts with a run (runs read the
// lease, not the heartbeat).
//
// Nodes learn of each other's jobs, of the clock and of a clock move in progress by
// short polling (Config.Poll): one read-only transaction reads the jobs, leases, nodes,
// clock and advance records. Polling was chosen over a change notification because the
// store interface stays the same for every backend, and because a node must survive
// missing a notification anyway (a dropped connection): it would have to poll as well.
// A job still runs at once on the node whose request enqueued it (tx.OnCommit); polling
// only delays what another node takes over, by at most Poll.

var (
	nodesPrefix  = store.Prefix("_xregion", "nodes")
	leasesPrefix = store.Prefix("_xregion", "leases")
	advanceKey   = store.Key("_xregion", "advance")
)

func nodeKey(id string) string  { return store.Key("_xregion", "nodes", id) }
func leaseKey(id string) string { return store.Key("_xregion", "leases", id) }

// Defaults of the shared mode.
const (
	DefaultLease = 10 * time.Second
	DefaultPoll  = 500 * time.Millisecond
)

type nodeRecord struct {
	ID       string    `json:"id"`
	Beat     uint64    `json:"beat"`
	Started  time.Time `json:"started"`
	At       time.Time `json:"at"` // the node's wall clock at the beat, for people only
	Draining bool      `json:"draining,omitempty"`
}

type leaseRecord struct {
	Node  string    `json:"node"`
	Since time.Time `json:"since"` // wall clock
}

type advanceRecord struct {
	Node   string    `json:"node"`
	Target time.Time `json:"target"`
}

// peer is what this node has seen of another.
type peer struct {
	rec     nodeRecord
	changed time.Time // on this node's wall clock, when rec.Beat last changed
}

// cluster is an engine's share of the shared mode; nil on a single node.
type cluster struct {
	id, tag     string
	lease, poll time.Duration
	wall        func() time.Time
	started     time.Time

	mu           sync.Mutex // a leaf, like Clock.mu
	peers        map[string]*peer
	beat         uint64
	lastBeat     time.Time
	held         map[string]Lease // job id → the lease this node holds
	problem      string
	problemSince time.Time
	draining     bool
}

func newCluster(cfg Config) *cluster {
	sum := sha256.Sum256([]byte(cfg.Node))
	return &cluster{
		id: cfg.Node, tag: hex.EncodeToString(sum[:4]), lease: cfg.Lease, poll: cfg.Poll, wall: cfg.Wall,
		started: cfg.Wall().UTC(), peers: map[string]*peer{}, held: map[string]Lease{},
	}
}

// alive reports whether node may still hold leases: this node, or one whose beat changed
// within the last Lease. A node without a record has left (drained, or was forgotten).
func (c *cluster) alive(node string) bool {
	if node == c.id {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.peers[node]
	return ok && c.wall().Sub(p.changed) < c.lease
}

// holder reports whether node may hold a lease, in transaction tx: alive as this node
// has seen it, or not seen yet but with a record in the store. A node that has not polled
// for a while (a long pause) thus gives an unknown node the benefit of the doubt until
// it has watched its beat for a Lease.
func (c *cluster) holder(tx store.Tx, node string) bool {
	if c.alive(node) {
		return true
	}
	c.mu.Lock()
	_, known := c.peers[node]
	c.mu.Unlock()
	return !known && tx.Get(nodeKey(node)) != nil
}

// observe folds the node records of a snapshot into what this node knows of its peers.
func (c *cluster) observe(recs []nodeRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.wall()
	seen := map[string]bool{}
	for _, r := range recs {
		if r.ID == c.id {
			continue
		}
		seen[r.ID] = true
		p := c.peers[r.ID]
		if p == nil || p.rec.Beat != r.Beat {
			// First seen, or beating: alive for another Lease from now.
			p = &peer{changed: now}
			c.peers[r.ID] = p
		}
		p.rec = r
	}
	for id := range c.peers {
		if !seen[id] {
			delete(c.peers, id)
		}
	}
}

// forgettable lists peers silent for so long (three leases) that their records are only
// clutter: the heartbeat deletes them. A node that comes back writes its record again.
func (c *cluster) forgettable() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for id, p := range c.peers {
		if c.wall().Sub(p.changed) >= 3*c.lease {
			out = append(out, id)
		}
	}
	return out
}

// heartbeat writes this node's record, which renews every lease it holds, and deletes
// the records of nodes long dead. A failure is the node's problem until a beat succeeds:
// health reports it, and the other nodes will soon take its jobs over.
func (e *Engine) heartbeat() error {
	c := e.node
	c.mu.Lock()
	rec := nodeRecord{ID: c.id, Beat: c.beat + 1, Started: c.started, At: c.wall().UTC(), Draining: c.draining}
	c.mu.Unlock()
	dead := c.forgettable()
	err := e.st.Update(func(tx store.Tx) error {
		for _, id := range dead {
			if err := tx.Delete(nodeKey(id)); err != nil {
				return err
			}
		}
		return store.PutJSON(tx, nodeKey(c.id), rec)
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if c.problem == "" {
			c.problemSince = c.wall().UTC()
			e.log.Error("jobs: this node cannot reach the store; other nodes will take its jobs over", "node", c.id, "err", err)
		}
		c.problem = fmt.Sprintf("cannot write its heartbeat to the store since %s: %v", c.problemSince.Format(time.RFC3339), err)
		return err
	}
	if c.problem != "" {
		e.log.Info("jobs: this node reaches the store again", "node", c.id)
	}
	c.beat, c.lastBeat, c.problem = rec.Beat, c.wall(), ""
	return nil
}

// snapshot is what a node reads of the shared state in one transaction.
type snapshot struct {
	jobs    []Job
	leases  map[string]leaseRecord
	nodes   []nodeRecord
	clock   clockRecord
	advance *advanceRecord
}

func (e *Engine) readSnapshot(shared bool) (snapshot, error) {
	s := snapshot{leases: map[string]leaseRecord{}}
	err := e.st.View(func(tx store.Tx) error {
		s.jobs = s.jobs[:0]
		if err := tx.Scan(jobsPrefix, "", func(key string, value []byte) bool {
			j, ok := e.decodeJob(key, value)
			if ok {
				s.jobs = append(s.jobs, j)
			}
			return true
		}); err != nil {
			return err
		}
		if !shared {
			return nil
		}
		if err := store.ScanJSON(tx, leasesPrefix, func(key string, l *leaseRecord) bool {
			s.leases[key[len(leasesPrefix):]] = *l
			return true
		}); err != nil {
			return err
		}
		s.nodes = s.nodes[:0]
		if err := store.ScanJSON(tx, nodesPrefix, func(_ string, n *nodeRecord) bool {
			s.nodes = append(s.nodes, *n)
			return true
		}); err != nil {
			return err
		}
		if _, err := store.GetJSON(tx, clockKey, &s.clock); err != nil {
			return err
		}
		var adv advanceRecord
		found, err := store.GetJSON(tx, advanceKey, &adv)
		if found {
			s.advance = &adv
		}
		return err
	})
	return s, err
}

// foreign reports whether a live node other than this one holds the lease on job id.
func (e *Engine) foreign(s snapshot, id string) bool {
	l, ok := s.leases[id]
	return ok && l.Node != e.node.id && e.node.alive(l.Node)
}

// sync brings this node up to date with the shared state: the peers' beats, the clock,
// a clock move on another node, and the pending jobs. A job another live node has leased
// is left out of the mirror (it is theirs); a job that left the store is dropped (another
// node ran or cancelled it).
func (e *Engine) sync() error {
	e.mu.Lock()
	mark := e.seq
	e.mu.Unlock()
	s, err := e.readSnapshot(true)
	if err != nil {
		return err
	}
	e.node.observe(s.nodes)
	epochChanged := e.clock.adopt(s.clock)
	remote := s.advance != nil && s.advance.Node != e.node.id && e.node.alive(s.advance.Node)

	e.mu.Lock()
	if epochChanged {
		// Reset through another node: what this node knew of jobs is gone with the store.
		e.forgetLocked()
	}
	e.remotePaused = remote
	e.reconcileLocked(s, mark)
	e.changedLocked()
	e.mu.Unlock()
	if epochChanged && e.cfg.OnRemoteReset != nil {
		e.cfg.OnRemoteReset()
	}
	return nil
}

// reconcileLocked makes the mirror match a snapshot taken after sequence mark: entries
// the mirror gained or changed since mark are newer than the snapshot and left alone.
func (e *Engine) reconcileLocked(s snapshot, mark uint64) {
	stored := make(map[string]bool, len(s.jobs))
	for _, j := range s.jobs {
		stored[j.ID] = true
		e.seenID(j.ID)
		ent := e.jobs[j.ID]
		switch {
		case e.foreign(s, j.ID):
			if ent != nil && !ent.running && ent.touched <= mark {
				e.removeLocked(ent)
			}
		case ent == nil:
			e.placeLocked(j, true)
		case !ent.running && ent.touched <= mark:
			e.refreshLocked(ent, j)
		}
	}
	for id, ent := range e.jobs {
		if !stored[id] && !ent.running && ent.touched <= mark {
			e.removeLocked(ent)
		} else if ent.deferred {
			e.maybeTakeLocked(ent)
		}
	}
}

// maybeTakeLocked makes a deferred job runnable here once it has been due for a grace
// (Lease/4, a heartbeat's period) without the node that enqueued it running it: that
// node runs its jobs at once, so the nodes do not all race for every job, while a job
// whose node died before claiming it, or is too busy to, is not left waiting.
func (e *Engine) maybeTakeLocked(ent *entry) {
	if ent.job.RunAt.After(e.clock.Now()) {
		ent.overdueSince = time.Time{}
		return
	}
	now := e.node.wall()
	if ent.overdueSince.IsZero() {
		ent.overdueSince = now
	}
	if now.Sub(ent.overdueSince) >= e.node.lease/4 {
		e.undeferLocked(ent)
	}
}

func (e *Engine) undeferLocked(ent *entry) {
	ent.deferred = false
	if e.isHeadLocked(ent) {
		e.pushLocked(ent)
	}
}

// takeAllLocked makes every deferred job runnable: the node moving the clock runs them.
func (e *Engine) takeAllLocked() {
	for _, ent := range e.jobs {
		if ent.deferred {
			e.undeferLocked(ent)
		}
	}
}

// refreshLocked takes another node's change to a job (a retry moved RunAt) and lets a
// blocked entry try again: its predecessor may have run on another node, which this
// node's mirror does not announce.
func (e *Engine) refreshLocked(ent *entry, j Job) {
	if !ent.job.RunAt.Equal(j.RunAt) || ent.job.Attempt != j.Attempt {
		ent.job = j
		if ent.index >= 0 {
			heap.Fix(&e.ready, ent.index)
		}
	}
	if ent.blocked {
		ent.blocked = false
		if e.isHeadLocked(ent) {
			e.pushLocked(ent)
		}
	}
}

// Errors of a claim: the job is another live node's, or another node is moving the clock.
var (
	errLeased = errors.New("job leased by another node")
	errPaused = errors.New("another node is moving the clock")
)

// claim takes the lease on job id for this node.
func (e *Engine) claim(id, kind string) error {
	c := e.node
	now := c.wall().UTC()
	err := e.st.Update(func(tx store.Tx) error {
		if tx.Get(jobKey(id)) == nil {
			return errGone
		}
		var adv advanceRecord
		if found, err := store.GetJSON(tx, advanceKey, &adv); err != nil {
			return err
		} else if found && adv.Node != c.id && c.holder(tx, adv.Node) {
			return errPaused
		}
		var l leaseRecord
		if found, err := store.GetJSON(tx, leaseKey(id), &l); err != nil {
			return err
		} else if found && l.Node != c.id && c.holder(tx, l.Node) {
			return errLeased
		}
		return store.PutJSON(tx, leaseKey(id), leaseRecord{Node: c.id, Since: now})
	})
	if err == nil {
		c.mu.Lock()
		c.held[id] = Lease{Job: id, Kind: kind, Since: now}
		c.mu.Unlock()
	}
	return err
}

// errLost: the node was presumed dead and another took the job over.
var errLost = errors.New("lease lost to another node")

// holdsLease checks, in a run's transaction, that the lease on id is still this node's,
// and deletes it: the job leaves the store in the same transaction.
func (e *Engine) holdsLease(tx store.Tx, id string) error {
	var l leaseRecord
	found, err := store.GetJSON(tx, leaseKey(id), &l)
	if err != nil {
		return err
	}
	if !found || l.Node != e.node.id {
		return errLost
	}
	return tx.Delete(leaseKey(id))
}

// dropLease forgets a lease this node no longer holds, in memory.
func (e *Engine) dropLease(id string) {
	if e.node == nil {
		return
	}
	e.node.mu.Lock()
	delete(e.node.held, id)
	e.node.mu.Unlock()
}

// release gives the lease on id back, if it is still this node's.
func (e *Engine) release(id string) {
	err := e.st.Update(func(tx store.Tx) error {
		var l leaseRecord
		if found, err := store.GetJSON(tx, leaseKey(id), &l); err != nil || !found || l.Node != e.node.id {
			return err
		}
		return tx.Delete(leaseKey(id))
	})
	if err != nil {
		e.log.Warn("jobs: releasing a lease; it lapses when this node stops", "job", id, "err", err)
	}
	e.dropLease(id)
}

// leave releases every lease this node still holds and deletes its record, so that the
// other nodes take its jobs over at once instead of after a Lease.
func (e *Engine) leave() {
	c := e.node
	c.mu.Lock()
	held := make([]string, 0, len(c.held))
	for id := range c.held {
		held = append(held, id)
	}
	c.mu.Unlock()
	err := e.st.Update(func(tx store.Tx) error {
		for _, id := range held {
			var l leaseRecord
			if found, err := store.GetJSON(tx, leaseKey(id), &l); err != nil {
				return err
			} else if found && l.Node == c.id {
				if err := tx.Delete(leaseKey(id)); err != nil {
					return err
				}
			}
		}
		return tx.Delete(nodeKey(c.id))
	})
	if err != nil && !errors.Is(err, store.ErrClosed) {
		e.log.Warn("jobs: leaving the cluster; this node's leases lapse when its heartbeat does", "node", c.id, "err", err)
	}
}

// clusterLoop polls the shared state every Poll and beats every Lease/4.
func (e *Engine) clusterLoop() {
	defer e.wg.Done()
	c := e.node
	tick := time.NewTicker(c.poll)
	defer tick.Stop()
	for {
		select {
		case <-e.quit:
			return
		case <-tick.C:
		}
		c.mu.Lock()
		due := c.wall().Sub(c.lastBeat) >= c.lease/4
		c.mu.Unlock()
		if due {
			_ = e.heartbeat() // its failure is reported by health
		}
		if err := e.sync(); err != nil && !errors.Is(err, store.ErrClosed) {
			e.log.Warn("jobs: reading the shared state", "node", c.id, "err", err)
		}
		if e.cfg.OnPoll != nil {
			e.cfg.OnPoll()
		}
	}
}

// Lease is a job this node has claimed and not finished.
type Lease struct {
	Job   string    `json:"job"`
	Kind  string    `json:"kind"`
	Since time.Time `json:"since"` // wall clock
}

// Peer is another node as this one sees it.
type Peer struct {
	ID       string    `json:"id"`
	Alive    bool      `json:"alive"`
	Draining bool      `json:"draining,omitempty"`
	LastBeat time.Time `json:"lastBeat"` // that node's wall clock
}

// NodeReport describes this node for the health endpoint.
type NodeReport struct {
	ID string `json:"id"`
	// Shared is true when the node shares its store with others and leases its jobs.
	Shared   bool    `json:"shared"`
	Draining bool    `json:"draining,omitempty"`
	Problem  string  `json:"problem,omitempty"`
	Leases   []Lease `json:"leases"`
	Peers    []Peer  `json:"peers,omitempty"`
}

// Node reports this node's identity, its leases and, when shared, its peers. On a single
// node a lease is trivial: the jobs running now are its leases.
func (e *Engine) Node() NodeReport {
	e.mu.Lock()
	r := NodeReport{ID: e.cfg.Node, Draining: e.draining, Leases: []Lease{}}
	if e.node == nil {
		for _, ent := range e.jobs {
			if ent.running {
				r.Leases = append(r.Leases, Lease{Job: ent.job.ID, Kind: ent.job.Kind})
			}
		}
	}
	e.mu.Unlock()
	if c := e.node; c != nil {
		r.Shared = true
		c.mu.Lock()
		r.Problem = c.problem
		for _, l := range c.held {
			r.Leases = append(r.Leases, l)
		}
		for id, p := range c.peers {
			r.Peers = append(r.Peers, Peer{ID: id, Alive: c.wall().Sub(p.changed) < c.lease, Draining: p.rec.Draining, LastBeat: p.rec.At})
		}
		c.mu.Unlock()
	}
	slices.SortFunc(r.Leases, func(a, b Lease) int { return strings.Compare(a.Job, b.Job) })
	slices.SortFunc(r.Peers, func(a, b Peer) int { return strings.Compare(a.ID, b.ID) })
	return r
}
