package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store"
)

// A View that started before an Update committed keeps seeing the data as it was, values
// it already read included, even after the Update has returned.
func testViewSnapshotSurvivesCommit(t *testing.T, s store.Store) {
	put(t, s, kv{"a", "old"}, kv{"b", "old"}, kv{"c", "old"})
	viewing := make(chan struct{})
	committed := make(chan error, 1)
	go func() {
		<-viewing
		committed <- s.Update(func(tx store.Tx) error {
			for _, err := range []error{
				tx.Put("a", []byte("NEW")),
				tx.Delete("b"),
				tx.Put("d", []byte("NEW")),
			} {
				if err != nil {
					return err
				}
			}
			return nil
		})
	}()
	view(t, s, func(tx store.Tx) error {
		before := tx.Get("a")
		close(viewing)
		select {
		case err := <-committed:
			if err != nil {
				return fmt.Errorf("concurrent Update: %w", err)
			}
		case <-time.After(patience):
			return errors.New("an Update could not commit while a View was open")
		}
		wantValue(t, "value read before the commit", before, "old")
		wantValue(t, "a read again after the commit", tx.Get("a"), "old")
		wantValue(t, "b, deleted by the commit", tx.Get("b"), "old")
		wantMissing(t, "d, added by the commit", tx.Get("d"))
		got, err := scan(tx, "", "")
		wantPairs(t, "Scan after the commit", got, []kv{{"a", "old"}, {"b", "old"}, {"c", "old"}})
		return err
	})
	wantPairs(t, "a new View", contents(t, s), []kv{{"a", "NEW"}, {"c", "old"}, {"d", "NEW"}})
}

// A View that runs while an Update is half-way through sees none of it, whether the
// Update then commits or rolls back.
func testUpdateInvisibleUntilCommit(t *testing.T, s store.Store) {
	for _, commit := range []bool{true, false} {
		t.Run(fmt.Sprintf("commit=%t", commit), func(t *testing.T) {
			update(t, s, func(tx store.Tx) error {
				if err := tx.DeletePrefix(""); err != nil {
					return err
				}
				return tx.Put("a", []byte("before"))
			})
			halfway := make(chan struct{})
			release := make(chan struct{})
			done := make(chan error, 1)
			errAbandon := errors.New("abandon")
			go func() {
				done <- s.Update(func(tx store.Tx) error {
					if err := tx.Put("a", []byte("during")); err != nil {
						return err
					}
					if err := tx.Put("b", []byte("during")); err != nil {
						return err
					}
					close(halfway)
					<-release
					if err := tx.Put("c", []byte("during")); err != nil {
						return err
					}
					if !commit {
						return errAbandon
					}
					return nil
				})
			}()
			<-halfway
			var during []kv
			within(t, "View during an Update", func() (err error) {
				during, err = readAll(s)
				return err
			})
			wantPairs(t, "View during the Update", during, []kv{{"a", "before"}})
			close(release)
			err := <-done
			if commit {
				if err != nil {
					t.Fatalf("Update: %v", err)
				}
				wantPairs(t, "after commit", contents(t, s),
					[]kv{{"a", "during"}, {"b", "during"}, {"c", "during"}})
			} else {
				if !errors.Is(err, errAbandon) {
					t.Fatalf("Update = %v, want %v", err, errAbandon)
				}
				wantPairs(t, "after rollback", contents(t, s), []kv{{"a", "before"}})
			}
		})
	}
}

// Two Views that each wait for the other to start can only finish if Views run at once.
func testViewsRunConcurrently(t *testing.T, s store.Store) {
	put(t, s, kv{"a", "1"})
	in1, in2 := make(chan struct{}), make(chan struct{})
	rendezvous := func(mine, theirs chan struct{}) func() error {
		return func() error {
			return s.View(func(tx store.Tx) error {
				close(mine)
				select {
				case <-theirs:
				case <-time.After(patience):
					return errors.New("the other View never started: Views are serialised")
				}
				if string(tx.Get("a")) != "1" {
					return errors.New("wrong value")
				}
				return nil
			})
		}
	}
	errs := make(chan error, 1)
	go func() { errs <- rendezvous(in2, in1)() }()
	within(t, "first View", rendezvous(in1, in2))
	if err := <-errs; err != nil {
		t.Fatalf("second View: %v", err)
	}
}

// Writers move units between accounts while readers check that the total never changes,
// which would expose a torn read or a lost update. Run with -race.
func testConcurrentReadersAndWriters(t *testing.T, s store.Store) {
	const (
		accounts = 8
		writers  = 4
		perWrite = 40
		readers  = 4
		total    = accounts * 100
	)
	acct := func(i int) string { return store.Key("acct", strconv.Itoa(i)) }
	update(t, s, func(tx store.Tx) error {
		for i := range accounts {
			if err := tx.Put(acct(i), []byte("100")); err != nil {
				return err
			}
		}
		return tx.Put("transfers", []byte("0"))
	})
	atoi := func(b []byte) int {
		n, err := strconv.Atoi(string(b))
		if err != nil {
			panic(fmt.Sprintf("corrupt number %q", b))
		}
		return n
	}

	// Writers start once every reader has read once, so reads and writes overlap
	// however fast the store is.
	var readersUp sync.WaitGroup
	readersUp.Add(readers)
	var writing sync.WaitGroup
	var moved atomic.Int64
	errs := make(chan error, writers+readers)
	for w := range writers {
		writing.Go(func() {
			readersUp.Wait()
			rng := rand.New(rand.NewPCG(uint64(w), 99))
			for range perWrite {
				from, to, amount := rng.IntN(accounts), rng.IntN(accounts), rng.IntN(20)
				err := s.Update(func(tx store.Tx) error {
					a, b := atoi(tx.Get(acct(from))), atoi(tx.Get(acct(to)))
					if from == to {
						return nil
					}
					if err := tx.Put(acct(from), []byte(strconv.Itoa(a-amount))); err != nil {
						return err
					}
					if err := tx.Put(acct(to), []byte(strconv.Itoa(b+amount))); err != nil {
						return err
					}
					return tx.Put("transfers", []byte(strconv.Itoa(atoi(tx.Get("transfers"))+1)))
				})
				if err != nil {
					errs <- err
					return
				}
				if from != to {
					moved.Add(1)
				}
			}
		})
	}
	stop := make(chan struct{})
	var reading sync.WaitGroup
	for range readers {
		reading.Go(func() {
			up := sync.OnceFunc(readersUp.Done)
			defer up() // even if the first read fails
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(func(tx store.Tx) error {
					sum, n := 0, 0
					if err := tx.Scan(store.Prefix("acct"), "", func(_ string, v []byte) bool {
						sum += atoi(v)
						n++
						return true
					}); err != nil {
						return err
					}
					if sum != total || n != accounts {
						return fmt.Errorf("a View saw %d accounts holding %d, want %d holding %d", n, sum, accounts, total)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
				up()
			}
		})
	}
	writing.Wait()
	close(stop)
	reading.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every transfer that moved something was counted exactly once: no update was lost.
	view(t, s, func(tx store.Tx) error {
		sum := 0
		for i := range accounts {
			sum += atoi(tx.Get(acct(i)))
		}
		if sum != total {
			return fmt.Errorf("final total %d, want %d", sum, total)
		}
		if n := atoi(tx.Get("transfers")); n != int(moved.Load()) {
			return fmt.Errorf("%d transfers recorded, want %d: an update was lost", n, moved.Load())
		}
		return nil
	})
}
