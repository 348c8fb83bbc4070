package console

import "testing"

func TestNamesGlobal(t *testing.T) {
	for _, c := range []struct {
		message string
		want    bool
	}{
		{"DB cluster joined global cluster orders as its secondary cluster", true},
		{"Global failover of global cluster orders to DB cluster in Region us-west-2 started", true},
		{"DB cluster removed from global cluster orders: it is a standalone cluster", true},
		{"DB cluster joined global cluster orders-eu as its primary cluster", false},
		{"DB cluster joined global cluster orders2 as its primary cluster", false},
		{"DB cluster rejoined global cluster orders", true},
	} {
		if got := namesGlobal(c.message, "orders"); got != c.want {
			t.Errorf("namesGlobal(%q) = %v", c.message, got)
		}
	}
}
