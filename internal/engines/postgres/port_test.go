package postgres

import (
	"net"
	"os"
	"strconv"
	"strings"
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

// TestSocketDir: a server keeps its socket in its own directory unless that path is too
// long for a Unix-domain socket; then it gets a short private one elsewhere, the same
// for the same server, which RemoveSocketDir removes.
func TestSocketDir(t *testing.T) {
	short := "/srv/xregion/engines/servers/db-1"
	if got := SocketDir(short); got != short+"/run" {
		t.Errorf("SocketDir(%s) = %s", short, got)
	}
	long := "/tmp/" + strings.Repeat("deep/", 12) + "engines/servers/db-VWGE7HDOU5TT9MUNPHI37ZOB11"
	got := SocketDir(long)
	if len(got)+len("/.s.PGSQL.65535") > 107 || strings.HasPrefix(got, long) || got != SocketDir(long) || got == SocketDir(long+"x") {
		t.Errorf("SocketDir(long) = %s", got)
	}
	if err := os.MkdirAll(got, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := RemoveSocketDir(long); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(got); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", got, err)
	}
}
