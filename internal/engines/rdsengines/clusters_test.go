package rdsengines

import "testing"

// TestRunsCluster: aurora-postgresql clusters run as real servers; aurora-mysql and the
// instance engines' names do not name clusters that do.
func TestRunsCluster(t *testing.T) {
	p := &Provider{}
	for engine, want := range map[string]bool{"aurora-postgresql": true, "aurora-mysql": false, "postgres": false} {
		if got := p.RunsCluster(engine); got != want {
			t.Errorf("RunsCluster(%q) = %t, want %t", engine, got, want)
		}
	}
}
