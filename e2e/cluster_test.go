package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/xregion/xregion/internal/xtest"
)

// cluster is three xregion nodes on one PostgreSQL database, each with the shared root
// key in its own data directory, whose transitions take a second: long enough for a node
// to have jobs pending and in flight when it is killed.
func startCluster(t *testing.T) []*server {
	t.Helper()
	url := startPostgres(t)
	raw := make([]byte, 32)
	rand.Read(raw)
	rootKey := base64.StdEncoding.EncodeToString(raw)
	var nodes []*server
	for i := range 3 {
		nodes = append(nodes, startDurableServer(t, nodeDir(t, rootKey), "--store", url, "--transition-delay", "1s",
			"--node-id", "node-"+strconv.Itoa(i+1)))
	}
	return nodes
}

func smOn(s *server, region string) *secretsmanager.Client {
	return secretsmanager.NewFromConfig(xtest.DefaultConfig(s.URL, region))
}

// Secrets replicated through node 1 while it is killed with -9: every acknowledged write
// is present and every replica InSync through nodes 2 and 3, which took node 1's jobs
// over; writes made through nodes 2 and 3 at once are all there; a fault set through one
// node applies on another; node 1 restarted joins again.
func TestClusterTakesOverAKilledNodesJobs(t *testing.T) {
	t.Parallel()
	nodes := startCluster(t)
	ctx := context.Background()
	replicas := []smtypes.ReplicaRegionType{{Region: aws.String("us-west-2")}, {Region: aws.String("eu-west-1")}}

	// us-west-2 is cut off from cross-Region work while node 1 lives: its replications
	// there fail and wait to be retried while those to eu-west-1 run, so node 1 dies with
	// jobs done and jobs left that only nodes 2 and 3 can finish, however fast or slow
	// the machine is.
	nodes[0].admin(t, "POST", "faults", `{"region":"us-west-2","unreachable":true}`, nil)
	var acked []string
	for i := range 12 {
		name := fmt.Sprintf("app/%02d", i)
		_, err := smOn(nodes[0], "us-east-1").CreateSecret(ctx, &secretsmanager.CreateSecretInput{
			Name: aws.String(name), SecretString: aws.String("value of " + name), AddReplicaRegions: replicas})
		if err != nil {
			t.Fatal(err)
		}
		acked = append(acked, name)
	}
	// Kill node 1 once its first replica is in sync: its jobs are done, running and waiting.
	xtest.CheckFor(t, time.Minute, func() error { return replicaInSync(ctx, nodes[0], acked[0], "eu-west-1") })
	nodes[0].kill(t)
	nodes[1].admin(t, "DELETE", "faults", "", nil)

	for _, name := range acked {
		xtest.CheckFor(t, 2*time.Minute, func() error { return inSync(ctx, nodes[1], name) })
		for _, region := range []string{"us-west-2", "eu-west-1"} {
			got, err := smOn(nodes[2], region).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
			if err != nil || *got.SecretString != "value of "+name {
				t.Fatalf("%s in %s through node 3: %v %v", name, region, got, err)
			}
			versions, err := smOn(nodes[1], region).ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(name)})
			if err != nil || len(versions.Versions) != 1 {
				t.Fatalf("%s in %s has versions %+v (%v): a replication ran twice?", name, region, versions, err)
			}
		}
	}

	// No job ran to completion on both surviving nodes (node 1's history died with it).
	ranOn := map[string]string{}
	for _, n := range nodes[1:] {
		var listing struct {
			Recent []struct {
				Job     struct{ ID string }
				Outcome string
			}
		}
		n.admin(t, "GET", "jobs", "", &listing)
		for _, f := range listing.Recent {
			if f.Outcome != "succeeded" {
				continue
			}
			if other, dup := ranOn[f.Job.ID]; dup {
				t.Errorf("job %s ran on %s and on %s", f.Job.ID, other, n.URL)
			}
			ranOn[f.Job.ID] = n.URL
		}
	}
	if len(ranOn) == 0 {
		t.Error("nodes 2 and 3 took none of node 1's jobs over, yet only they can have replicated to us-west-2")
	}

	// Writes through nodes 2 and 3 at once.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			_, err := smOn(nodes[1+i%2], "us-east-1").CreateSecret(ctx, &secretsmanager.CreateSecretInput{
				Name: aws.String(fmt.Sprintf("both/%02d", i)), SecretString: aws.String("x")})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := smOn(nodes[2], "us-east-1").ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(100)})
	if err != nil || len(list.SecretList) != len(acked)+20 {
		t.Fatalf("node 3 lists %d secrets (%v), want %d", len(list.SecretList), err, len(acked)+20)
	}

	// A fault set through node 2 applies on node 3 within a poll.
	nodes[1].admin(t, "POST", "faults", `{"region":"eu-west-1","service":"secretsmanager","outage":"api"}`, nil)
	xtest.CheckFor(t, 30*time.Second, func() error {
		_, err := smOn(nodes[2], "eu-west-1").ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
		var api smithy.APIError
		if errors.As(err, &api) && api.ErrorCode() == "ServiceUnavailable" {
			return nil
		}
		return fmt.Errorf("node 3 answered %v", err)
	})
	nodes[1].admin(t, "DELETE", "faults", "", nil)

	// Node 1 comes back as a new node; health lists its leases and its peers.
	nodes[0].start(t)
	var health struct {
		Status string
		Node   struct {
			ID     string
			Shared bool
			Leases []any
			Peers  []struct {
				ID    string
				Alive bool
			}
		}
	}
	xtest.CheckFor(t, 30*time.Second, func() error {
		nodes[1].admin(t, "GET", "health", "", &health)
		alive := 0
		for _, p := range health.Node.Peers {
			if p.Alive {
				alive++
			}
		}
		if health.Node.ID != "node-2" || !health.Node.Shared || health.Node.Leases == nil || alive != 2 {
			return fmt.Errorf("node 2's health: %+v", health)
		}
		return nil
	})

	// Node 3 drains on SIGTERM and leaves: node 2 drops it at its next poll, long before
	// its heartbeat would have lapsed.
	nodes[2].stop(t)
	xtest.CheckFor(t, 5*time.Second, func() error {
		nodes[1].admin(t, "GET", "health", "", &health)
		for _, p := range health.Node.Peers {
			if p.ID == "node-3" {
				return fmt.Errorf("node 2 still sees node 3: %+v", health.Node.Peers)
			}
		}
		return nil
	})
}

// inSync reports, through node s, whether every replica of name is InSync.
func inSync(ctx context.Context, s *server, name string) error {
	out, err := smOn(s, "us-east-1").DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		return err
	}
	for _, r := range out.ReplicationStatus {
		if r.Status != smtypes.StatusTypeInSync {
			return fmt.Errorf("%s in %s is %s", name, *r.Region, r.Status)
		}
	}
	if len(out.ReplicationStatus) != 2 {
		return fmt.Errorf("%s has replicas %+v", name, out.ReplicationStatus)
	}
	return nil
}

// The clock moved through one node is the others' too, and a backup plan's hourly rule
// fires once an hour across the three nodes, whichever node moves the clock, each
// backup copied to another Region once.
func TestClusterSharesClockAndSchedules(t *testing.T) {
	t.Parallel()
	nodes := startCluster(t)
	ctx := context.Background()
	rdsc := rds.NewFromConfig(xtest.DefaultConfig(nodes[0].URL, "us-east-1"))
	db, err := rdsc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("appdb"), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin1"), MasterUserPassword: aws.String("secretpass1")})
	if err != nil {
		t.Fatal(err)
	}
	xtest.CheckFor(t, time.Minute, func() error {
		out, err := rds.NewFromConfig(xtest.DefaultConfig(nodes[2].URL, "us-east-1")).DescribeDBInstances(ctx,
			&rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("appdb")})
		if err != nil || *out.DBInstances[0].DBInstanceStatus != "available" {
			return fmt.Errorf("appdb: %v %v", out, err)
		}
		return nil
	})
	bk := func(s *server) *backup.Client { return backup.NewFromConfig(xtest.DefaultConfig(s.URL, "us-east-1")) }
	if _, err := bk(nodes[1]).CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	dr, err := backup.NewFromConfig(xtest.DefaultConfig(nodes[0].URL, "us-west-2")).CreateBackupVault(ctx,
		&backup.CreateBackupVaultInput{BackupVaultName: aws.String("dr")})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := bk(nodes[1]).CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: &backuptypes.BackupPlanInput{
		BackupPlanName: aws.String("hourly"),
		Rules: []backuptypes.BackupRuleInput{{RuleName: aws.String("hourly"), TargetBackupVaultName: aws.String("prod"),
			ScheduleExpression: aws.String("cron(0 * ? * * *)"),
			CopyActions:        []backuptypes.CopyAction{{DestinationBackupVaultArn: dr.BackupVaultArn}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bk(nodes[2]).CreateBackupSelection(ctx, &backup.CreateBackupSelectionInput{BackupPlanId: plan.BackupPlanId,
		BackupSelection: &backuptypes.BackupSelection{SelectionName: aws.String("app"), Resources: []string{*db.DBInstance.DBInstanceArn},
			IamRoleArn: aws.String("arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole")}}); err != nil {
		t.Fatal(err)
	}

	// Three hours through node 3, then two through node 1 once it sees the first move.
	var clock struct{ Now time.Time }
	nodes[2].admin(t, "GET", "clock", "", &clock)
	start := clock.Now
	nodes[2].admin(t, "POST", "clock", `{"advance":"3h"}`, nil)
	xtest.CheckFor(t, 30*time.Second, func() error {
		nodes[0].admin(t, "GET", "clock", "", &clock)
		if clock.Now.Before(start.Add(3 * time.Hour)) {
			return fmt.Errorf("node 1's clock reads %s, node 3 moved it to %s", clock.Now, start.Add(3*time.Hour))
		}
		return nil
	})
	nodes[0].admin(t, "POST", "clock", `{"advance":"2h"}`, nil)

	want := 0
	for h := start.Truncate(time.Hour).Add(time.Hour); !h.After(start.Add(5 * time.Hour)); h = h.Add(time.Hour) {
		want++
	}
	xtest.CheckFor(t, time.Minute, func() error {
		jobs, err := bk(nodes[1]).ListBackupJobs(ctx, &backup.ListBackupJobsInput{})
		if err != nil {
			return err
		}
		if len(jobs.BackupJobs) != want {
			return fmt.Errorf("%d backup jobs, want %d (one an hour)", len(jobs.BackupJobs), want)
		}
		for _, j := range jobs.BackupJobs {
			if j.State != backuptypes.BackupJobStateCompleted {
				return fmt.Errorf("backup job %s is %s", *j.BackupJobId, j.State)
			}
		}
		// Each backup's copy to us-west-2 ran once, whichever node ran it.
		copies, err := bk(nodes[2]).ListCopyJobs(ctx, &backup.ListCopyJobsInput{})
		if err != nil {
			return err
		}
		if len(copies.CopyJobs) != want {
			return fmt.Errorf("%d copy jobs, want %d (one per backup)", len(copies.CopyJobs), want)
		}
		for _, j := range copies.CopyJobs {
			if j.State != backuptypes.CopyJobStateCompleted {
				return fmt.Errorf("copy job %s is %s", *j.CopyJobId, j.State)
			}
		}
		return nil
	})
	points, err := backup.NewFromConfig(xtest.DefaultConfig(nodes[1].URL, "us-west-2")).ListRecoveryPointsByBackupVault(ctx,
		&backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: aws.String("dr")})
	if err != nil || len(points.RecoveryPoints) != want {
		t.Fatalf("the dr vault in us-west-2 holds %d recovery points (%v), want %d", len(points.RecoveryPoints), err, want)
	}
}

// replicaInSync reports, through node s, whether name's replica in region is InSync.
func replicaInSync(ctx context.Context, s *server, name, region string) error {
	out, err := smOn(s, "us-east-1").DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		return err
	}
	for _, r := range out.ReplicationStatus {
		if aws.ToString(r.Region) == region && r.Status == smtypes.StatusTypeInSync {
			return nil
		}
	}
	return fmt.Errorf("%s's replica in %s is not InSync: %+v", name, region, out.ReplicationStatus)
}
