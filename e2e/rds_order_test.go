package e2e

import (
	"strings"
	"testing"
)

// TestRDSErrorOrderWithCLI: requests with several faults at once answer, through the
// AWS CLI, the first in RDS's order (internal/service/rds/validate.go): a retired class
// before a taken identifier, a taken identifier before a missing parameter group, a
// missing parameter group before a missing subnet group; a modified instance found before
// a bad class, and a bad class before a missing parameter group.
func TestRDSErrorOrderWithCLI(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	create := func(id string, extra ...string) []string {
		return srv.rds(append([]string{"create-db-instance", "--db-instance-identifier", id, "--engine", "postgres",
			"--engine-version", "16.8", "--allocated-storage", "20", "--master-username", "admin1", "--master-user-password", "secretpass1"}, extra...)...)
	}
	srv.aws(t, create("taken", "--db-instance-class", "db.t3.micro")...)
	want := func(what, stderr string, parts ...string) {
		t.Helper()
		for _, p := range parts {
			if !strings.Contains(stderr, p) {
				t.Errorf("%s: %q lacks %q", what, stderr, p)
			}
		}
	}
	stderr := srv.awsFail(t, "us-east-1", create("taken", "--db-instance-class", "db.t2.micro", "--db-parameter-group-name", "nope")...)
	want("retired class, taken identifier, missing parameter group", stderr, "InvalidParameterCombination", "DBInstanceClass=db.t2.micro")
	stderr = srv.awsFail(t, "us-east-1", create("taken", "--db-instance-class", "db.t3.micro", "--db-parameter-group-name", "nope",
		"--db-subnet-group-name", "nope")...)
	want("taken identifier, missing parameter and subnet groups", stderr, "DBInstanceAlreadyExists")
	stderr = srv.awsFail(t, "us-east-1", create("fresh", "--db-instance-class", "db.t3.micro", "--db-parameter-group-name", "nope",
		"--db-subnet-group-name", "nope")...)
	want("missing parameter and subnet groups", stderr, "DBParameterGroupNotFound", "nope")
	// A modification: the instance is found before what is asked of it is judged, and
	// what is asked before what it names.
	stderr = srv.awsFail(t, "us-east-1", srv.rds("modify-db-instance", "--db-instance-identifier", "nobody", "--db-instance-class", "db.x9.huge")...)
	want("unknown instance, bad class", stderr, "DBInstanceNotFound")
	stderr = srv.awsFail(t, "us-east-1", srv.rds("modify-db-instance", "--db-instance-identifier", "taken", "--db-instance-class", "db.x9.huge",
		"--db-parameter-group-name", "nope")...)
	want("bad class, missing parameter group", stderr, "InvalidParameterCombination", "DBInstanceClass=db.x9.huge")
}
