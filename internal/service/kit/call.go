package kit

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/request"
)

// Caller is who sends a request, and Session what bounds a session's rights (request's
// types, which services meet through the kit).
type (
	Caller  = request.Caller
	Session = request.Session
)

// Call is the request a handler answers, without any HTTP: every handler names it c.
type Call struct {
	ID        string // the request id the client gets back
	Operation string
	Account   string // the account the caller acts in
	Region    string // the Region the request was signed for
	Partition string // the Region's partition, for ARNs
	Caller    request.Caller
	Temporary bool // the caller signed with STS session credentials
	clock     *jobs.Clock
}

func callOf(ctx context.Context, clock *jobs.Clock) Call {
	info := request.From(ctx)
	return Call{
		ID: info.ID, Operation: info.Operation, Account: info.Account, Region: info.Region,
		Partition: info.Partition, Caller: info.Caller, Temporary: info.Temporary, clock: clock,
	}
}

// Now is the time on the engine's clock. It is read when asked, not when the call began:
// a handler that waited for the store's writer lock records the time it wrote.
func (c Call) Now() time.Time { return c.clock.Now() }

// In returns the service's records of the caller's account and Region.
func (c Call) In(tx Tx) View { return tx.In(c.Account, c.Region) }
