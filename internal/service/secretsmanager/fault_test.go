package secretsmanager_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// waitRetrying waits until the sync job to region has failed at least once.
func waitRetrying(t testing.TB, inst *servertest.Instance, region string) {
	t.Helper()
	xtest.CheckFor(t, 10*time.Second, func() error {
		pending, _ := inst.Server.Engine().Jobs()
		for _, j := range pending {
			if j.Kind == "secretsmanager.sync" && j.Region == region && j.Attempt > 0 {
				return nil
			}
		}
		return fmt.Errorf("no failed sync job to %s yet", region)
	})
}

// TestUnreachableRegionGivesUp: while the Region is down the job retries and the status
// stays InProgress; after the retry budget it is Failed; once the Region is back, a retry
// brings the replica in line with every write made meanwhile.
func TestUnreachableRegionGivesUp(t *testing.T) {
	e := start(t)
	e.Instance.SetUnreachable("eu-west-3", true)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), AddReplicaRegions: replicas("eu-west-3"),
	}))
	waitRetrying(t, e.Instance, "eu-west-3")
	put(t, e.East, "s", token("v2"), "v2")
	put(t, e.East, "s", token("v3"), "v3")
	if s := status(t, e.East, "s")["eu-west-3"]; s.Status != "InProgress" {
		t.Fatalf("while retrying: %+v", s)
	}

	e.Instance.Advance(time.Hour) // past the whole backoff budget
	st := status(t, e.East, "s")["eu-west-3"]
	if st.Status != "Failed" || !strings.Contains(aws.ToString(st.StatusMessage), "Region eu-west-3 is unreachable; gave up after 10 attempts") {
		t.Fatalf("after the budget: %s %q", st.Status, aws.ToString(st.StatusMessage))
	}
	_, err := e.In("eu-west-3").DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
	wantErr(t, err, "ResourceNotFoundException", "")

	e.Instance.SetUnreachable("eu-west-3", false)
	xtest.Must[*secretsmanager.ReplicateSecretToRegionsOutput](t)(e.East.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{
		SecretId: aws.String("s"), AddReplicaRegions: replicas("eu-west-3"),
	}))
	waitStatus(t, e.East, "s", "InSync", "eu-west-3")
	if v := getValue(t, e.In("eu-west-3"), "s"); aws.ToString(v.SecretString) != "v3" || aws.ToString(v.VersionId) != token("v3") {
		t.Errorf("replica after retry: %+v", v)
	}
	if n := len(stagesOf(t, e.In("eu-west-3"), "s")); n != 3 {
		t.Errorf("replica has %d versions, want 3", n)
	}
}

// TestUnreachableRegionRecovers: when the Region comes back within the budget, the next
// retry converges with no call from the user.
func TestUnreachableRegionRecovers(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), AddReplicaRegions: replicas("eu-west-3"),
	}))
	waitStatus(t, e.East, "s", "InSync", "eu-west-3")
	e.Instance.SetUnreachable("eu-west-3", true)
	put(t, e.East, "s", token("v2"), "v2")
	waitRetrying(t, e.Instance, "eu-west-3")
	if v := getValue(t, e.In("eu-west-3"), "s"); aws.ToString(v.SecretString) != "v1" {
		t.Fatalf("replica changed while unreachable: %q", aws.ToString(v.SecretString))
	}
	if s := status(t, e.East, "s")["eu-west-3"].Status; s != "InProgress" {
		t.Fatalf("status %s", s)
	}
	e.Instance.SetUnreachable("eu-west-3", false)
	e.Instance.Advance(10 * time.Minute)
	waitStatus(t, e.East, "s", "InSync", "eu-west-3")
	if v := getValue(t, e.In("eu-west-3"), "s"); aws.ToString(v.SecretString) != "v2" {
		t.Errorf("replica after recovery: %q", aws.ToString(v.SecretString))
	}
}

// TestPromoteWhilePrimaryDown: StopReplicationToReplica is the disaster-recovery step and
// works in the replica's Region while the primary's is unreachable; the old primary lets
// the Region go when it is reachable again.
func TestPromoteWhilePrimaryDown(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), AddReplicaRegions: replicas("us-west-2"),
	}))
	waitStatus(t, e.East, "s", "InSync", "us-west-2")
	e.Instance.SetUnreachable("us-east-1", true)
	xtest.Must[*secretsmanager.StopReplicationToReplicaOutput](t)(e.West.StopReplicationToReplica(ctx, &secretsmanager.StopReplicationToReplicaInput{SecretId: aws.String("s")}))
	put(t, e.West, "s", token("w2"), "written in the west")
	waitRetrying(t, e.Instance, "us-west-2")
	if _, ok := status(t, e.East, "s")["us-west-2"]; !ok {
		t.Errorf("the unreachable primary already let go")
	}
	e.Instance.SetUnreachable("us-east-1", false)
	e.Instance.Advance(10 * time.Minute)
	xtest.CheckFor(t, 10*time.Second, func() error {
		if _, ok := status(t, e.East, "s")["us-west-2"]; ok {
			return fmt.Errorf("the primary still lists us-west-2")
		}
		return nil
	})
	if v := getValue(t, e.West, "s"); aws.ToString(v.SecretString) != "written in the west" {
		t.Errorf("promoted secret value %q", aws.ToString(v.SecretString))
	}
}

// TestReplicationSurvivesRestart: replication in flight when the server stops resumes on
// the next start from the same data directory.
func TestReplicationSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	first := servertest.Start(t, servertest.WithDataDir(dir), servertest.WithTransitionDelay(time.Hour))
	c := smClient(first, "us-east-1")
	out := xtest.Must[*secretsmanager.CreateSecretOutput](t)(c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("durable"), SecretString: aws.String("kept"), AddReplicaRegions: replicas("eu-west-3", "ap-northeast-1"),
	}))
	if s := status(t, c, "durable")["eu-west-3"].Status; s != "InProgress" {
		t.Fatalf("status %s", s)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := first.Server.Shutdown(stopCtx); err != nil {
		t.Fatal(err)
	}

	second := servertest.Start(t, servertest.WithDataDir(dir), servertest.WithTransitionDelay(time.Hour))
	c = smClient(second, "us-east-1")
	if s := status(t, c, "durable")["eu-west-3"].Status; s != "InProgress" {
		t.Fatalf("status after restart %s", s)
	}
	second.Advance(time.Hour)
	waitStatus(t, c, "durable", "InSync", "eu-west-3", "ap-northeast-1")
	for _, r := range []string{"eu-west-3", "ap-northeast-1"} {
		v := getValue(t, smClient(second, r), "durable")
		if aws.ToString(v.SecretString) != "kept" || aws.ToString(v.VersionId) != aws.ToString(out.VersionId) {
			t.Errorf("%s after restart: %+v", r, v)
		}
	}
}

// TestLastAccessedDateSurvivesRestart: GetSecretValue stays read-only and notes the date in
// memory; DescribeSecret shows it at once, and a graceful stop writes it before the store
// closes.
func TestLastAccessedDateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	first := servertest.Start(t, servertest.WithDataDir(dir))
	c := smClient(first, "us-east-1")
	create(t, c, "read-me", "v")
	getValue(t, c, "read-me")
	if d := describe(t, c, "read-me").LastAccessedDate; d == nil {
		t.Fatal("no LastAccessedDate right after a read")
	}
	create(t, c, "read-before-stop", "v")
	getValue(t, c, "read-before-stop")
	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := first.Server.Shutdown(stopCtx); err != nil {
		t.Fatal(err)
	}
	second := servertest.Start(t, servertest.WithDataDir(dir))
	if d := describe(t, smClient(second, "us-east-1"), "read-before-stop").LastAccessedDate; d == nil {
		t.Error("the read just before the stop was not recorded")
	}
}
