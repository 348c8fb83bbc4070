package rdsengines

import (
	"context"
	"sync"
	"time"
)

// keepFinished is how long the outcome of an operation waits for the caller to ask for
// it: RDS polls every second or so.
const keepFinished = 10 * time.Minute

// tasks runs operations in the background, once per op name (see port.DatabaseEngines).
type tasks struct {
	logf   func(op string, err error) // hears of every failure, told to a caller or not
	mu     sync.Mutex
	m      map[string]*task
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type task struct {
	done     chan struct{}
	err      error
	finished time.Time
}

func newTasks() *tasks {
	ctx, cancel := context.WithCancel(context.Background())
	return &tasks{m: map[string]*task{}, ctx: ctx, cancel: cancel}
}

// run starts fn under op unless it runs already, and reports whether it has finished.
// A failure is reported once: the next call with op starts it again.
func (t *tasks) run(op string, fn func(ctx context.Context) error) (bool, error) {
	return t.runWith(op, nil, fn)
}

// runWith is run, where begin (if set) is called when fn is started, before run returns,
// and the function it returns when fn ends.
func (t *tasks) runWith(op string, begin func() func(), fn func(ctx context.Context) error) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.forgetOld()
	if tk, ok := t.m[op]; ok {
		select {
		case <-tk.done:
			if tk.err != nil {
				delete(t.m, op)
			}
			return true, tk.err
		default:
			return false, nil
		}
	}
	if t.ctx.Err() != nil {
		return false, t.ctx.Err()
	}
	tk := &task{done: make(chan struct{})}
	t.m[op] = tk
	end := func() {}
	if begin != nil {
		end = begin()
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		err := fn(t.ctx)
		end()
		if err != nil && t.logf != nil {
			t.logf(op, err)
		}
		t.mu.Lock()
		tk.err, tk.finished = err, time.Now()
		t.mu.Unlock()
		close(tk.done)
	}()
	return false, nil
}

// forgetOld drops outcomes nobody asked for in time; t.mu is held.
func (t *tasks) forgetOld() {
	for op, tk := range t.m {
		if !tk.finished.IsZero() && time.Since(tk.finished) > keepFinished {
			delete(t.m, op)
		}
	}
}

// close cancels the running operations and waits for them until ctx ends.
func (t *tasks) close(ctx context.Context) {
	t.cancel()
	done := make(chan struct{})
	go func() {
		t.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
