package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/xregion/xregion/internal/engines/pgtest"
	"github.com/xregion/xregion/internal/xtest"
)

// TestRealDataManagedPassword: a real instance whose master password RDS manages answers
// psql with the secret's password; a value put into the secret by the user is refused,
// and a rotation asked of Secrets Manager or with RotateMasterUserPassword reaches the
// server (the old password no longer logs in);
// turning management off with a MasterUserPassword of the user's makes that one the
// server's. A restore of its snapshot naming another DBName keeps the source's database
// and answers its name, where psql finds the rows.
func TestRealDataManagedPassword(t *testing.T) {
	t.Parallel()
	needPostgres(t)
	ctx := context.Background()
	e := &realEnv{t: t, srv: startDurableServer(t, reachableDir(t), "--real-engines")}
	e.connect()
	sm := secretsmanager.NewFromConfig(xtest.DefaultConfig(e.srv.URL, "us-east-1"))
	in := realInstance("managed", 1)
	in.MasterUserPassword, in.ManageMasterUserPassword = nil, aws.Bool(true)
	if _, err := e.east.CreateDBInstance(ctx, in); err != nil {
		t.Fatal(err)
	}
	inst := e.available(e.east, "managed")
	secretARN := aws.ToString(inst.MasterUserSecret.SecretArn)
	first := secretPassword(t, sm, secretARN)
	conn := pgtest.MustConnect(t, int(aws.ToInt32(inst.Endpoint.Port)), realMaster, first, realDB)
	pgtest.Exec(t, conn, "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 3)")
	conn.Close(ctx)

	// The secret is RDS's: a value of the user's is refused, and the server keeps its password.
	put, _ := json.Marshal(map[string]string{"username": realMaster, "password": "put-by-the-user-2"})
	_, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(secretARN), SecretString: aws.String(string(put))})
	if err == nil || !strings.Contains(err.Error(), "InvalidRequestException") {
		t.Fatalf("PutSecretValue on RDS's secret: %v", err)
	}

	// A rotation asked of Secrets Manager, then one asked of RDS, each reach the server.
	if _, err := sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(secretARN), RotateImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	bySM := e.rotatedFrom(sm, secretARN, first)
	e.passwordIs(inst, bySM, first)
	if _, err := e.east.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("managed"),
		RotateMasterUserPassword: aws.Bool(true), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	rotated := e.rotatedFrom(sm, secretARN, bySM)
	e.passwordIs(inst, rotated, bySM)

	if _, err := e.east.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("managed"),
		ManageMasterUserPassword: aws.Bool(false), MasterUserPassword: aws.String("the-users-own-3"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	xtest.CheckFor(t, 3*time.Minute, func() error {
		out, err := e.east.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("managed")})
		if err != nil || aws.ToString(out.DBInstances[0].DBInstanceStatus) != "available" || out.DBInstances[0].MasterUserSecret != nil {
			return fmt.Errorf("the instance still manages its password or is not available: %v", err)
		}
		return nil
	})
	e.passwordIs(inst, "the-users-own-3", rotated)
	e.restoreNamingAnotherDatabase("the-users-own-3")
}

// rotatedFrom waits until the secret's password is no longer old, and returns it.
func (e *realEnv) rotatedFrom(sm *secretsmanager.Client, secretARN, old string) string {
	e.t.Helper()
	var now string
	xtest.CheckFor(e.t, 3*time.Minute, func() error {
		if now = secretPassword(e.t, sm, secretARN); now == old {
			return fmt.Errorf("the secret is not rotated yet")
		}
		return nil
	})
	return now
}

// secretPassword reads the password of an RDS master user secret.
func secretPassword(t *testing.T, sm *secretsmanager.Client, secretARN string) string {
	t.Helper()
	out, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretARN)})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Password string }
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Password
}

// passwordIs waits until psql logs in with password and no longer with old, and reads
// the rows with it.
func (e *realEnv) passwordIs(inst types.DBInstance, password, old string) {
	e.t.Helper()
	ctx, port := context.Background(), int(aws.ToInt32(inst.Endpoint.Port))
	xtest.CheckFor(e.t, 3*time.Minute, func() error {
		conn, err := pgtest.Connect(ctx, port, realMaster, password, realDB)
		if err != nil {
			return err
		}
		conn.Close(ctx)
		return nil
	})
	if conn, err := pgtest.Connect(ctx, port, realMaster, old, realDB); err == nil {
		conn.Close(ctx)
		e.t.Errorf("the old password still logs in")
	}
	conn := pgtest.MustConnect(e.t, port, realMaster, password, realDB)
	defer conn.Close(ctx)
	if got := pgtest.Ints(e.t, conn, "SELECT id FROM orders ORDER BY id"); !slices.Equal(got, []int{1, 2, 3}) {
		e.t.Errorf("with the new password the rows are %v", got)
	}
}

// restoreNamingAnotherDatabase snapshots "managed" and restores the snapshot with a
// DBName of another database: the restore answers the source's, which holds the rows.
func (e *realEnv) restoreNamingAnotherDatabase(password string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.east.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("managed"),
		DBSnapshotIdentifier: aws.String("managed-snap")}); err != nil {
		e.t.Fatal(err)
	}
	e.snapshotAvailable(e.east, "managed-snap")
	out, err := e.east.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{
		DBInstanceIdentifier: aws.String("renamed"), DBSnapshotIdentifier: aws.String("managed-snap"), DBName: aws.String("elsewhere")})
	if err != nil {
		e.t.Fatal(err)
	}
	if got := aws.ToString(out.DBInstance.DBName); got != realDB {
		e.t.Errorf("the restore answers DBName %q, want the source's %q", got, realDB)
	}
	back := e.available(e.east, "renamed")
	if got := aws.ToString(back.DBName); got != realDB {
		e.t.Errorf("the restored instance is described with DBName %q", got)
	}
	if got := e.rows(back, password); !slices.Equal(got, []int{1, 2, 3}) {
		e.t.Errorf("the restored instance holds %v", got)
	}
}
