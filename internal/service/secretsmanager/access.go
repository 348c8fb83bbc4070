package secretsmanager

import (
	"sync"
	"time"

	"github.com/xregion/xregion/internal/service/kit"
)

// accessLog batches LastAccessedDate updates. The date has a resolution of a day, and
// recording it on the read path would make the first read of every version each day pay
// for a durable commit, queued behind every other writer (on a durable store, reads right
// after a write waited milliseconds for it). GetSecretValue notes the day here and stays a
// read-only transaction; a flush writes every pending date in one transaction shortly
// after, before any operation that shows the date, and when the service stops.
type accessLog struct {
	kit *kit.Kit

	mu      sync.Mutex
	pending map[accessKey]time.Time
	timer   *time.Timer
}

// accessKey names a version of a secret in a Region; the suffix tells a secret from one
// deleted and created again under the same name meanwhile.
type accessKey struct{ account, region, name, suffix, version string }

// accessFlushDelay is how long noted dates wait to be written together.
const accessFlushDelay = 50 * time.Millisecond

func newAccessLog(k *kit.Kit) *accessLog {
	return &accessLog{kit: k, pending: map[accessKey]time.Time{}}
}

// note records that a version was read on day.
func (a *accessLog) note(k accessKey, day time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if d, ok := a.pending[k]; ok && !day.After(d) {
		return
	}
	a.pending[k] = day
	if a.timer == nil {
		a.timer = time.AfterFunc(accessFlushDelay, func() {
			if err := a.flush(); err != nil {
				a.kit.Log.Warn("secretsmanager: recording LastAccessedDate", "error", err)
			}
		})
	}
}

// flush writes the pending dates. A date only ever moves forward.
func (a *accessLog) flush() error {
	a.mu.Lock()
	pending := a.pending
	a.pending = map[accessKey]time.Time{}
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	a.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	return a.kit.Update(func(tx kit.Tx) error {
		for k, day := range pending {
			if err := record(tx.In(k.account, k.region), k, day); err != nil {
				return err
			}
		}
		return nil
	})
}

// record moves a secret's and a version's LastAccessedDate forward to day.
func record(v kit.View, k accessKey, day time.Time) error {
	rec, err := secrets.Get(v, k.name)
	if err != nil || rec == nil || rec.Suffix != k.suffix {
		return err // or deleted since it was read
	}
	if rec.Accessed == nil || day.After(*rec.Accessed) {
		rec.Accessed = &day
		if err := secrets.Put(v, rec, rec.Name); err != nil {
			return err
		}
	}
	ver, err := versions.Get(v, k.name, k.version)
	if err != nil || ver == nil || ver.Accessed != nil && !day.After(*ver.Accessed) {
		return err
	}
	ver.Accessed = &day
	return versions.Put(v, ver, k.name, k.version)
}

// forget drops pending dates, after the store was wiped.
func (a *accessLog) forget() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pending = map[accessKey]time.Time{}
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
}
