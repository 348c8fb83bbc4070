package kit_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type fixture struct {
	st     store.Store
	engine *jobs.Engine
	kit    *kit.Kit
}

// newKit cuts the kit of a service named svc from fresh machinery on a frozen clock.
func newKit(t *testing.T, svc string) *fixture {
	t.Helper()
	st := memory.New()
	clock := jobs.NewFrozenClock(t0)
	engine := jobs.New(jobs.Config{Store: st, Clock: clock})
	k, err := kit.New(svc, kit.Deps{Store: st, Jobs: engine, Clock: clock, Sealer: seal.Ephemeral()})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, engine: engine, kit: k}
}

func (f *fixture) start(t *testing.T) {
	t.Helper()
	if err := f.engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := f.engine.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type widget struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

var widgets = kit.Table[widget]{Kind: "widget"}

func TestNewRefusesMissingMachinery(t *testing.T) {
	if _, err := kit.New("svc", kit.Deps{}); err == nil {
		t.Error("a kit without a store was built")
	}
}

func TestCallCarriesTheRequest(t *testing.T) {
	f := newKit(t, "svc")
	info := &request.Info{ID: "req-1", Operation: "Op", Account: "111122223333", Region: "eu-west-3", Partition: "aws",
		Caller: request.Caller{ARN: "arn:aws:iam::111122223333:root", UserID: "111122223333"}}
	c := f.kit.Call(request.With(context.Background(), info))
	if c.ID != "req-1" || c.Operation != "Op" || c.Account != "111122223333" || c.Region != "eu-west-3" ||
		c.Partition != "aws" || c.Caller.ARN != info.Caller.ARN || !c.Now().Equal(t0) {
		t.Errorf("Call = %+v, now %v", c, c.Now())
	}
	must(t, f.kit.Update(func(tx kit.Tx) error {
		v := c.In(tx)
		if v.Account() != "111122223333" || v.Region() != "eu-west-3" {
			t.Errorf("view of the call = %s/%s", v.Account(), v.Region())
		}
		return nil
	}))
}

// TestViewsAreScoped: a view's records are filed under its account, Region and service
// and under nothing else, so two services (or Regions) with the same names never meet.
func TestViewsAreScoped(t *testing.T) {
	f := newKit(t, "alpha")
	beta, err := kit.New("beta", kit.Deps{Store: f.st, Jobs: f.engine, Clock: jobs.NewFrozenClock(t0), Sealer: seal.Ephemeral()})
	must(t, err)
	must(t, f.kit.Update(func(tx kit.Tx) error {
		if err := widgets.Put(tx.In("111122223333", "us-east-1"), &widget{Name: "w", N: 1}, "w"); err != nil {
			return err
		}
		for _, v := range []kit.View{tx.In("111122223333", "us-west-2"), tx.In("444455556666", "us-east-1"), beta.Join(tx).In("111122223333", "us-east-1")} {
			if w, err := widgets.Get(v, "w"); err != nil || w != nil {
				t.Errorf("%s/%s sees %+v, %v", v.Account(), v.Region(), w, err)
			}
		}
		return nil
	}))
	must(t, f.st.View(func(raw store.Tx) error {
		want := store.Key("111122223333", "us-east-1", "alpha", "widget", "w")
		if raw.Get(want) == nil {
			t.Errorf("the record is not under %s", store.Printable(want))
		}
		return nil
	}))
}

func TestTableRoundTrip(t *testing.T) {
	f := newKit(t, "svc")
	must(t, f.kit.Update(func(tx kit.Tx) error {
		v := tx.In("111122223333", "us-east-1")
		for i, name := range []string{"b", "a", "c"} {
			if err := widgets.Put(v, &widget{Name: name, N: i}, "group", name); err != nil {
				return err
			}
		}
		must(t, widgets.Put(v, &widget{Name: "other"}, "other", "x"))
		got, err := widgets.Get(v, "group", "b")
		if err != nil || got == nil || got.N != 0 || !widgets.Has(v, "group", "b") || widgets.Has(v, "group", "z") {
			t.Errorf("Get = %+v, %v", got, err)
		}
		list, err := widgets.List(v, "group")
		if err != nil || len(list) != 3 || list[0].Name != "a" || list[2].Name != "c" {
			t.Errorf("List = %+v, %v", list, err)
		}
		must(t, widgets.Delete(v, "group", "a"))
		must(t, widgets.Delete(v, "group", "missing"))
		if list, _ := widgets.List(v, "group"); len(list) != 2 {
			t.Errorf("after Delete: %d records", len(list))
		}
		must(t, widgets.DeleteAll(v, "group"))
		if list, _ := widgets.List(v); len(list) != 1 || list[0].Name != "other" {
			t.Errorf("after DeleteAll: %+v", list)
		}
		return nil
	}))
}

func TestTableReportsDamagedRecords(t *testing.T) {
	f := newKit(t, "svc")
	must(t, f.st.Update(func(raw store.Tx) error {
		return raw.Put(store.Key("111122223333", "us-east-1", "svc", "widget", "bad"), []byte("{not json"))
	}))
	err := f.kit.View(func(tx kit.Tx) error {
		_, err := widgets.Get(tx.In("111122223333", "us-east-1"), "bad")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "widget/bad") {
		t.Errorf("Get of a damaged record = %v", err)
	}
	err = f.kit.View(func(tx kit.Tx) error {
		return widgets.Scan(tx.In("111122223333", "us-east-1"), func(*widget) bool { return true })
	})
	if err == nil {
		t.Error("Scan of a damaged record succeeded")
	}
}

func TestIndexKeepsOrder(t *testing.T) {
	f := newKit(t, "svc")
	idx := kit.Index{Kind: "byname"}
	must(t, f.kit.Update(func(tx kit.Tx) error {
		v := tx.In("111122223333", "us-east-1")
		for _, n := range []string{"c", "a", "b"} {
			if err := idx.Add(v, "0001", n); err != nil {
				return err
			}
		}
		var seen []string
		must(t, idx.Keys(v, "0001\x00b", func(e kit.Entry) bool {
			seen = append(seen, e.Last()+":"+strings.Join(e.ID(), "|"))
			return true
		}))
		if !slices.Equal(seen, []string{"b:0001|b", "c:0001|c"}) {
			t.Errorf("Keys from b = %v", seen)
		}
		must(t, idx.Remove(v, "0001", "a"))
		if idx.Has(v, "0001", "a") || !idx.Has(v, "0001", "b") {
			t.Error("Remove removed the wrong entry")
		}
		must(t, idx.RemoveAll(v))
		if idx.Has(v, "0001", "b") {
			t.Error("RemoveAll left an entry")
		}
		return nil
	}))
}

func TestBlobs(t *testing.T) {
	f := newKit(t, "svc")
	b := kit.Blobs{Kind: "blob"}
	must(t, f.kit.Update(func(tx kit.Tx) error {
		v := tx.In("111122223333", "us-east-1")
		must(t, b.Put(v, []byte("one"), "k", "1"))
		must(t, b.Put(v, []byte("two"), "k", "2"))
		if string(b.Get(v, "k", "1")) != "one" || b.Get(v, "k", "3") != nil {
			t.Error("Get returned the wrong bytes")
		}
		var seen []string
		must(t, b.Scan(v, "2", func(e kit.Entry, value []byte) bool {
			seen = append(seen, e.Pos+"="+string(value))
			return true
		}, "k"))
		if !slices.Equal(seen, []string{"2=two"}) {
			t.Errorf("Scan from 2 saw %v", seen)
		}
		must(t, b.Delete(v, "k", "1"))
		must(t, b.DeleteAll(v, "k"))
		if b.Get(v, "k", "2") != nil {
			t.Error("DeleteAll left a blob")
		}
		return nil
	}))
}

// TestReadAndWrite: Write answers nothing of a transaction that rolled back.
func TestReadAndWrite(t *testing.T) {
	f := newKit(t, "svc")
	out, err := kit.Write(f.kit, func(tx kit.Tx) (*widget, error) {
		w := &widget{Name: "w"}
		return w, widgets.Put(tx.In("1", "r"), w, "w")
	})
	if err != nil || out == nil || out.Name != "w" {
		t.Fatalf("Write = %+v, %v", out, err)
	}
	failed := errors.New("refused")
	out, err = kit.Write(f.kit, func(tx kit.Tx) (*widget, error) {
		w := &widget{Name: "half"}
		if err := widgets.Put(tx.In("1", "r"), w, "half"); err != nil {
			return nil, err
		}
		return w, failed
	})
	if out != nil || !errors.Is(err, failed) {
		t.Errorf("a failed Write answered %+v, %v", out, err)
	}
	got, err := kit.Read(f.kit, func(tx kit.Tx) ([]*widget, error) { return widgets.List(tx.In("1", "r")) })
	if err != nil || len(got) != 1 || got[0].Name != "w" {
		t.Errorf("Read = %+v, %v", got, err)
	}
}

func TestCacheNeverStale(t *testing.T) {
	f := newKit(t, "svc")
	cache := kit.NewCache(widgets, 2)
	put := func(w widget) {
		t.Helper()
		must(t, f.kit.Update(func(tx kit.Tx) error { return widgets.Put(tx.In("1", "r"), &w, "k") }))
	}
	get := func() *widget {
		t.Helper()
		w, err := kit.Read(f.kit, func(tx kit.Tx) (*widget, error) { return cache.Get(tx.In("1", "r"), "k") })
		if err != nil || w == nil {
			t.Fatalf("cache.Get = %v, %v", w, err)
		}
		return w
	}
	put(widget{Name: "a", N: 1})
	first := get()
	if second := get(); second != first {
		t.Error("an unchanged record was decoded again")
	}
	put(widget{Name: "a", N: 2})
	if got := get(); got.N != 2 {
		t.Errorf("after a write: %+v", got)
	}
	// A rolled-back write never reaches readers, cached or not.
	_ = f.kit.Update(func(tx kit.Tx) error {
		_ = widgets.Put(tx.In("1", "r"), &widget{Name: "a", N: 3}, "k")
		return store.ErrReadOnly
	})
	if got := get(); got.N != 2 {
		t.Errorf("after a rollback: %+v", got)
	}
	// The cache stays bounded, and a reset costs only a decode.
	for _, k := range []string{"x", "y", "z"} {
		must(t, f.kit.Update(func(tx kit.Tx) error { return widgets.Put(tx.In("1", "r"), &widget{Name: k}, k) }))
		must(t, f.kit.View(func(tx kit.Tx) error { _, err := cache.Get(tx.In("1", "r"), k); return err }))
	}
	cache.Reset()
	if got := get(); got.N != 2 {
		t.Errorf("after Reset: %+v", got)
	}
	missing, err := kit.Read(f.kit, func(tx kit.Tx) (*widget, error) { return cache.Get(tx.In("1", "r"), "missing") })
	if missing != nil || err != nil {
		t.Errorf("missing record: %v, %v", missing, err)
	}
}

// ref is a job payload about one widget.
type ref struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Name    string `json:"name"`
}

func (r ref) Subject() (string, string, []string) { return r.Account, r.Region, []string{r.Name} }

var jobGrow = kit.Kind[ref]{Name: "svc.grow"}

// TestJobKinds: what Enqueue stores, Run gets back typed, under the one key format, in
// the service's own transaction.
func TestJobKinds(t *testing.T) {
	f := newKit(t, "svc")
	jobGrow.Register(f.kit, kit.Handler[ref]{Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p ref) error {
		v := tx.In(p.Account, p.Region)
		w, err := widgets.Get(v, p.Name)
		if err != nil || w == nil {
			return err
		}
		w.N++
		return widgets.Put(v, w, p.Name)
	}})
	f.start(t)
	p := ref{Account: "111122223333", Region: "eu-west-3", Name: "a/b"}
	if got, want := jobGrow.Key(p), "svc.grow/111122223333/eu-west-3/a/b"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	must(t, f.kit.Update(func(tx kit.Tx) error {
		if err := widgets.Put(tx.In(p.Account, p.Region), &widget{Name: p.Name}, p.Name); err != nil {
			return err
		}
		_, err := jobGrow.Enqueue(tx, t0.Add(time.Hour), p)
		return err
	}))
	pending, _ := f.engine.Jobs()
	if len(pending) != 1 || pending[0].Key != jobGrow.Key(p) || pending[0].Account != p.Account || pending[0].Region != p.Region {
		t.Fatalf("pending = %+v", pending)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	must(t, f.engine.Advance(ctx, time.Hour))
	w, err := kit.Read(f.kit, func(tx kit.Tx) (*widget, error) { return widgets.Get(tx.In(p.Account, p.Region), p.Name) })
	if err != nil || w.N != 1 {
		t.Errorf("after the job: %+v, %v", w, err)
	}
}

// TestJobGiveUpAndCancel: a job that fails for good reaches GiveUp with its payload; a
// job cancelled before it is due never runs; CancelJobs skips ids that are gone.
func TestJobGiveUpAndCancel(t *testing.T) {
	f := newKit(t, "svc")
	var gaveUp []string
	jobGrow.Register(f.kit, kit.Handler[ref]{
		Run: func(context.Context, kit.Tx, *jobs.Job, ref) error { return jobs.Permanent(errors.New("no")) },
		GiveUp: func(_ context.Context, _ kit.Tx, _ *jobs.Job, p ref, cause error) error {
			gaveUp = append(gaveUp, fmt.Sprintf("%s: %v", p.Name, cause))
			return nil
		},
	})
	f.start(t)
	var cancelled string
	must(t, f.kit.Update(func(tx kit.Tx) error {
		id, err := jobGrow.Enqueue(tx, t0.Add(time.Minute), ref{Account: "1", Region: "r", Name: "cancelled"})
		cancelled = id
		if err != nil {
			return err
		}
		_, err = jobGrow.Enqueue(tx, t0.Add(time.Minute), ref{Account: "1", Region: "r", Name: "failing"})
		return err
	}))
	must(t, f.kit.Update(func(tx kit.Tx) error { return tx.CancelJobs("", cancelled) }))
	must(t, f.kit.Update(func(tx kit.Tx) error { return tx.CancelJobs(cancelled) }))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	must(t, f.engine.Advance(ctx, time.Minute))
	if !slices.Equal(gaveUp, []string{"failing: no"}) {
		t.Errorf("gave up = %v", gaveUp)
	}
}
