package service

import (
	"strings"
	"testing"
)

type greeter interface{ Greet() string }

type english struct{}

func (english) Greet() string { return "hello" }

type french struct{}

func (french) Greet() string { return "bonjour" }

type counter interface{ Count() int }

// TestPortsWire: a need is filled with its provider once everything is built, whoever was
// built first; NeedAll gets every provider in the order they were provided.
func TestPortsWire(t *testing.T) {
	p := NewPorts()
	var one greeter
	var all []greeter
	p.building = "consumer"
	Need(p, &one)
	NeedAll(p, &all)
	if one != nil {
		t.Fatal("a need was filled before the wiring")
	}
	p.building = "provider"
	Provide[greeter](p, english{})
	if err := p.wire(); err != nil {
		t.Fatal(err)
	}
	if one == nil || one.Greet() != "hello" || len(all) != 1 {
		t.Errorf("wired %v, %v", one, all)
	}
}

// TestPortsRefuseToStartWithout: a port nobody provides, or one of two providers where a
// service needs one, is a start-up error that names the service and the port.
func TestPortsRefuseToStartWithout(t *testing.T) {
	p := NewPorts()
	p.building = "backup"
	var c counter
	Need(p, &c)
	var gs []greeter
	NeedAll(p, &gs)
	err := p.wire()
	if err == nil || !strings.Contains(err.Error(), "service backup needs service.counter, which no service provides") ||
		!strings.Contains(err.Error(), "service backup needs service.greeter, which no service provides") {
		t.Errorf("wire = %v", err)
	}

	p = NewPorts()
	p.building = "a"
	Provide[greeter](p, english{})
	p.building = "b"
	Provide[greeter](p, french{})
	p.building = "c"
	var g greeter
	Need(p, &g)
	var both []greeter
	NeedAll(p, &both)
	err = p.wire()
	if err == nil || !strings.Contains(err.Error(), "service c needs one service.greeter, and service a, service b all provide it") {
		t.Errorf("wire = %v", err)
	}
	if len(both) != 2 || both[0].Greet() != "hello" || both[1].Greet() != "bonjour" {
		t.Errorf("NeedAll = %v", both)
	}
}

func TestProvideWantsAnInterface(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "not a port interface") {
			t.Errorf("recover = %v", r)
		}
	}()
	Provide(NewPorts(), english{})
}

// TestPortsWant: a wanted port is filled when a service provides it, and left nil
// without a start-up error when none does.
func TestPortsWant(t *testing.T) {
	p := NewPorts()
	var absent counter
	var present greeter
	Want(p, &absent)
	Want(p, &present)
	Provide[greeter](p, french{})
	if err := p.wire(); err != nil {
		t.Fatal(err)
	}
	if absent != nil || present == nil || present.Greet() != "bonjour" {
		t.Errorf("wired %v, %v", absent, present)
	}
}
