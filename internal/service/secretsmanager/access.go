package secretsmanager

import (
	"log/slog"
	"sync"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// accessLog batches LastAccessedDate updates. The date has a resolution of a day, and
// recording it on the read path would make the first read of every version each day pay
// for a durable commit, queued behind every other writer (on a durable store, reads right
// after a write waited milliseconds for it). GetSecretValue notes the day here and stays a
// read-only transaction; a flush writes every pending date in one transaction shortly
// after, before any operation that shows the date, and when the service stops.
type accessLog struct {
	st  store.Store
	log *slog.Logger

	mu      sync.Mutex
	pending map[accessKey]time.Time
	timer   *time.Timer
}

// accessKey names a version of a secret in a Region; the suffix tells a secret from one
// deleted and created again under the same name meanwhile.
type accessKey struct{ account, region, name, suffix, version string }

// accessFlushDelay is how long noted dates wait to be written together.
const accessFlushDelay = 50 * time.Millisecond

func newAccessLog(st store.Store, log *slog.Logger) *accessLog {
	return &accessLog{st: st, log: log, pending: map[accessKey]time.Time{}}
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
				a.log.Warn("secretsmanager: recording LastAccessedDate", "error", err)
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
	return a.st.Update(func(tx store.Tx) error {
		for k, day := range pending {
			sc := scopeOf(k.account, k.region)
			rec, err := getSecret(tx, sc, k.name)
			if err != nil {
				return err
			}
			if rec == nil || rec.Suffix != k.suffix {
				continue // deleted since it was read
			}
			if rec.Accessed == nil || day.After(*rec.Accessed) {
				rec.Accessed = &day
				if err := putSecret(tx, sc, rec); err != nil {
					return err
				}
			}
			ver, err := getVersion(tx, sc, k.name, k.version)
			if err != nil {
				return err
			}
			if ver != nil && (ver.Accessed == nil || day.After(*ver.Accessed)) {
				ver.Accessed = &day
				if err := store.PutJSON(tx, versionKey(sc, k.name, k.version), ver); err != nil {
					return err
				}
			}
		}
		return nil
	})
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
