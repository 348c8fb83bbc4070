package faults

import (
	"testing"
	"time"

	"github.com/xregion/xregion/internal/store/memory"
)

func TestFaultsPersistAndClear(t *testing.T) {
	st := memory.New()
	r, err := Load(st)
	if err != nil {
		t.Fatal(err)
	}
	if r.Unreachable("eu-west-3") {
		t.Fatal("a new registry has a fault")
	}
	for _, region := range []string{"eu-west-3", "us-west-2"} {
		if err := r.Set(Fault{Region: region, Unreachable: true}); err != nil {
			t.Fatal(err)
		}
	}
	again, err := Load(st)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.List(); len(got) != 2 || got[0].Region != "eu-west-3" || !again.Unreachable("us-west-2") {
		t.Fatalf("reloaded faults = %+v", got)
	}
	if err := again.Clear("eu-west-3"); err != nil {
		t.Fatal(err)
	}
	if again.Unreachable("eu-west-3") || !again.Unreachable("us-west-2") {
		t.Fatal("Clear(region) cleared the wrong faults")
	}
	if err := again.Clear(""); err != nil {
		t.Fatal(err)
	}
	if len(again.List()) != 0 {
		t.Fatal("Clear did not clear")
	}
	if third, _ := Load(st); len(third.List()) != 0 {
		t.Fatal("cleared faults came back after a reload")
	}
}

func TestFaultKeepsItsStart(t *testing.T) {
	r, err := Load(memory.New())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := r.Set(Fault{Region: "eu-west-3", Unreachable: true, Since: start}); err != nil {
		t.Fatal(err)
	}
	if err := r.Set(Fault{Region: "eu-west-3", Unreachable: true, Since: start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if since, down := r.Since("eu-west-3"); !down || !since.Equal(start) {
		t.Errorf("Since = %v, %v; want %v, true", since, down, start)
	}
	if _, down := r.Since("us-west-2"); down {
		t.Error("a Region without a fault is down")
	}
}
