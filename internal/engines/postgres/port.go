package postgres

import (
	"fmt"
	"net"
)

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on now and that is not
// in taken (ports other servers own while stopped). Another process could still take it
// before the server binds it; Create then fails to start and the caller tries another.
func FreePort(taken map[int]bool) (int, error) {
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
