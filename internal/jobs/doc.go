// Package jobs is xregion's durable job engine and its movable clock.
//
// Everything in xregion that takes time or crosses Regions is a job: replicating a secret
// and removing a replica, RDS status transitions and automated-backup replication, backup
// and copy jobs, plan schedules, lifecycle transitions, deletion windows. Jobs run
// against the engine's Clock, which users and tests move forward
// (POST /_xregion/clock → Engine.AdvanceTo) to make those things happen now.
//
// # Durability
//
// A job is a JSON record under store.Key("_xregion", "jobs", id). Enqueue writes it in
// the caller's transaction (the outbox pattern): the state change that calls for the job
// and the job itself commit together or not at all, and the engine learns of the job only
// through tx.OnCommit. A run is one store Update that calls Handler.Run and deletes the
// record; so a run whose transaction committed is never repeated, and after a crash
// (kill -9) Start finds every job whose run had not committed and runs it again.
//
// Handlers must therefore be idempotent with respect to anything outside their
// transaction, and should be written so that running again after a rollback is harmless:
// read the state, decide, write, all in tx. A handler that finds its work already done
// (the replica exists, the key is already deleted) returns nil.
//
// Timestamps a handler writes should come from job.RunAt or the engine clock, never
// time.Now: during AdvanceTo the clock stands at the instant each job was due, so a daily
// schedule advanced by three days records three different days.
//
// # Ordering
//
// Jobs run when RunAt <= Clock.Now(), earliest (RunAt, ID) first, on Config.Workers
// goroutines. Jobs with the same Key run strictly one at a time in ID order. An in-memory
// heap mirrors the store; a single dispatcher goroutine sleeps on one timer until the
// earliest RunAt and is woken by commits, completions and clock moves. A job due at its
// commit is handed to a worker by the commit callback itself.
//
// A run holds the store's writer lock for as long as Handler.Run takes, which stalls
// every API write meanwhile: handlers do their work in the transaction and return.
//
// Key order is also checked inside each run's transaction against an index
// (_xregion/jobkeys/<key>/<id>), because OnCommit callbacks of two transactions may
// reach the engine in either order: a job whose predecessor has committed but not yet
// been announced steps back and waits for it.
//
// # Several nodes
//
// With Config.Shared, several engines (one per xregion node) share one store: each job is
// claimed with a lease before it runs, leases last while their node's heartbeat does, and
// the nodes poll the store for each other's jobs, the clock and a clock move in progress.
// cluster.go says how and why.
//
// # Lock order
//
// Acquire in this order, never the reverse:
//
//  1. Engine.advMu: held for a whole AdvanceTo or Reset, which run jobs and so take the
//     store. Nothing may call AdvanceTo or Reset from inside a transaction or a handler.
//  2. The store's writer lock, inside Update. Enqueue and Cancel run under it and take
//     Engine.mu briefly. OnCommit callbacks take Engine.mu; the engine does not depend on
//     whether the store still holds its lock when it runs them.
//  3. Engine.mu: guards the in-memory mirror (jobs, heap, key queues, history, counters).
//     Whoever holds it never calls the store or a handler and never blocks: sends on the
//     work channel cannot block, because no more than Config.Workers jobs are marked
//     running and the channel has that capacity.
//     Config.Observe runs under it, and may take only leaf locks of its own (metrics).
//  4. Clock.mu and cluster.mu (a shared node's peers, leases and heartbeat): leaves.
//     Clock.moveTo releases Clock.mu before writing the offset to the store; a claim's
//     transaction takes cluster.mu briefly to ask whether a lease's node is alive.
//
// # Tests
//
// Build the engine on a frozen clock (NewFrozenClock): nothing becomes due by itself, and
// AdvanceTo fires what a test wants, in order, deterministically. WaitIdle waits until
// nothing due is left to run; tests never sleep.
package jobs
