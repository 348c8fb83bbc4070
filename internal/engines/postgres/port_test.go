package postgres

import (
	"net"
	"strconv"
	"testing"
)

func TestFreePort(t *testing.T) {
	taken := map[int]bool{}
	for range 20 {
		port, err := FreePort(taken)
		if err != nil {
			t.Fatal(err)
		}
		if taken[port] || port < portLow || port >= portHigh {
			t.Fatalf("port %d (taken %v)", port, taken[port])
		}
		taken[port] = true
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatalf("port %d is not free: %v", port, err)
		}
		l.Close()
	}
}
