package postgres

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
)

// Ports are chosen below Linux's default range of ephemeral ports (32768–60999): a
// server keeps its port across restarts, and a port in the ephemeral range could be
// taken by some outgoing connection while the server is stopped.
const (
	portLow  = 20000
	portHigh = 32768
)

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on now and that is not
// in taken (ports other servers own while stopped). Another process could still take it
// before the server binds it; the caller then tries another.
func FreePort(taken map[int]bool) (int, error) {
	for range 64 {
		port := portLow + rand.IntN(portHigh-portLow)
		if !taken[port] && bindable(port) {
			return port, nil
		}
	}
	// A crowded range: let the system choose.
	for range 32 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("postgres: choosing a port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !taken[port] {
			return port, nil
		}
	}
	return 0, fmt.Errorf("postgres: no free port")
}

func bindable(port int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
