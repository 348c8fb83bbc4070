package secretsmanager_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

func replicas(regions ...string) []types.ReplicaRegionType {
	var out []types.ReplicaRegionType
	for _, r := range regions {
		out = append(out, types.ReplicaRegionType{Region: aws.String(r)})
	}
	return out
}

// replicaARN is the primary's ARN with the Region swapped.
func replicaARN(primaryARN, region string) string {
	parts := strings.SplitN(primaryARN, ":", 5)
	parts[3] = region
	return strings.Join(parts, ":")
}

// TestReplicateOnCreate: InProgress at once, with the key as given or the default alias;
// then the replicas exist with the primary's ARN but for the Region, the same versions,
// labels, value and metadata, encrypted under the replica Region's key.
func TestReplicateOnCreate(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Hour))
	westKey := xtest.Must[*kms.CreateKeyOutput](t)(kmsIn(e, "us-west-2").CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	out := xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("example"), SecretString: aws.String("v1"), Description: aws.String("replicated"),
		ClientRequestToken: aws.String(token("v1")), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
		AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("eu-west-3")}, {Region: aws.String("us-west-2"), KmsKeyId: westKey.Arn}},
	}))
	want := []string{"eu-west-3|alias/aws/secretsmanager|InProgress", "us-west-2|" + aws.ToString(westKey.Arn) + "|InProgress"}
	var got []string
	for _, r := range out.ReplicationStatus {
		got = append(got, aws.ToString(r.Region)+"|"+aws.ToString(r.KmsKeyId)+"|"+string(r.Status))
		if r.StatusMessage != nil {
			t.Errorf("InProgress with a message: %s", aws.ToString(r.StatusMessage))
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ReplicationStatus = %v, want %v", got, want)
	}
	d := describe(t, e.East, "example")
	if aws.ToString(d.PrimaryRegion) != "us-east-1" || len(d.ReplicationStatus) != 2 || d.ReplicationStatus[0].Status != "InProgress" {
		t.Errorf("primary during replication: %+v", d)
	}
	_, err := e.In("eu-west-3").GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("example")})
	wantErr(t, err, "ResourceNotFoundException", "") // not there before the transition delay

	e.Instance.Advance(time.Hour)
	st := status(t, e.East, "example")
	for _, r := range []string{"eu-west-3", "us-west-2"} {
		if st[r].Status != "InSync" || aws.ToString(st[r].StatusMessage) != "Replication succeeded" {
			t.Errorf("%s: %+v", r, st[r])
		}
	}
	if aws.ToString(st["us-west-2"].KmsKeyId) != aws.ToString(westKey.Arn) {
		t.Errorf("KmsKeyId not echoed: %v", aws.ToString(st["us-west-2"].KmsKeyId))
	}

	for _, region := range []string{"eu-west-3", "us-west-2"} {
		c := e.In(region)
		rARN := replicaARN(aws.ToString(out.ARN), region)
		for _, id := range []string{"example", rARN} {
			v := getValue(t, c, id)
			if aws.ToString(v.SecretString) != "v1" || aws.ToString(v.VersionId) != token("v1") || aws.ToString(v.ARN) != rARN {
				t.Errorf("%s %s: %+v", region, id, v)
			}
		}
		rd := describe(t, c, "example")
		if aws.ToString(rd.PrimaryRegion) != "us-east-1" || rd.ReplicationStatus != nil || aws.ToString(rd.Description) != "replicated" ||
			len(rd.Tags) != 1 || fmt.Sprint(rd.VersionIdsToStages) != fmt.Sprint(d.VersionIdsToStages) {
			t.Errorf("replica in %s: %+v", region, rd)
		}
		// The replica is listed in its Region, and found by the primary-region filter.
		if l := listNames(t, c, &secretsmanager.ListSecretsInput{Filters: filters("primary-region", "us-east")}); !slices.Equal(l, []string{"example"}) {
			t.Errorf("list in %s: %v", region, l)
		}
	}
	if k := aws.ToString(describe(t, e.In("us-west-2"), "example").KmsKeyId); k != aws.ToString(westKey.Arn) {
		t.Errorf("replica KmsKeyId %s", k)
	}
	// The us-west-2 replica really is under the us-west-2 key.
	xtest.Must[*kms.DisableKeyOutput](t)(kmsIn(e, "us-west-2").DisableKey(ctx, &kms.DisableKeyInput{KeyId: westKey.KeyId}))
	_, err = e.West.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("example")})
	wantErr(t, err, "DecryptionFailure", "")
	getValue(t, e.In("eu-west-3"), "example")

	// The replica Region's LastAccessedDate shows in the primary's status.
	if st := status(t, e.East, "example"); st["eu-west-3"].LastAccessedDate == nil || !st["eu-west-3"].LastAccessedDate.Equal(*describe(t, e.In("eu-west-3"), "example").LastAccessedDate) {
		t.Errorf("LastAccessedDate of eu-west-3: %v", st["eu-west-3"].LastAccessedDate)
	}
	if list := listNames(t, e.East, &secretsmanager.ListSecretsInput{Filters: filters("primary-region", "us-east-1")}); !slices.Equal(list, []string{"example"}) {
		t.Errorf("primary listed by primary-region: %v", list)
	}
}

// TestChangesReachReplicas: every change on the primary reaches the replica through the
// queue: values and labels, description, tags, policy, rotation.
func TestChangesReachReplicas(t *testing.T) {
	e := start(t)
	rep := e.In("eu-west-3")
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), ClientRequestToken: aws.String(token("v1")), AddReplicaRegions: replicas("eu-west-3"),
	}))
	waitStatus(t, e.East, "s", "InSync", "eu-west-3")

	put(t, e.East, "s", token("v2"), "v2")
	put(t, e.East, "s", token("v3"), "v3", "AWSPENDING", "custom")
	xtest.Must[*secretsmanager.UpdateSecretOutput](t)(e.East.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("s"), Description: aws.String("changed")}))
	xtest.Must[*secretsmanager.TagResourceOutput](t)(e.East.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("s"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}))
	xtest.Must[*secretsmanager.UntagResourceOutput](t)(e.East.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String("s"), TagKeys: []string{"b"}}))
	xtest.Must[*secretsmanager.PutResourcePolicyOutput](t)(e.East.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("s"), ResourcePolicy: aws.String(privatePolicy)}))
	xtest.Must[*secretsmanager.UpdateSecretVersionStageOutput](t)(e.East.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String("s"), VersionStage: aws.String("custom"), RemoveFromVersionId: aws.String(token("v3")), MoveToVersionId: aws.String(token("v1")),
	}))
	waitStatus(t, e.East, "s", "InSync", "eu-west-3")

	if got, want := stagesOf(t, rep, "s"), stagesOf(t, e.East, "s"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("replica versions %v, primary %v", got, want)
	}
	for _, stage := range []string{"AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "custom"} {
		p := xtest.Must[*secretsmanager.GetSecretValueOutput](t)(e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionStage: aws.String(stage)}))
		r := xtest.Must[*secretsmanager.GetSecretValueOutput](t)(rep.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionStage: aws.String(stage)}))
		if aws.ToString(p.SecretString) != aws.ToString(r.SecretString) || aws.ToString(p.VersionId) != aws.ToString(r.VersionId) || !p.CreatedDate.Equal(*r.CreatedDate) {
			t.Errorf("%s: primary %s/%s, replica %s/%s", stage, aws.ToString(p.VersionId), aws.ToString(p.SecretString), aws.ToString(r.VersionId), aws.ToString(r.SecretString))
		}
	}
	rd := describe(t, rep, "s")
	if aws.ToString(rd.Description) != "changed" || len(rd.Tags) != 1 || aws.ToString(rd.Tags[0].Key) != "a" {
		t.Errorf("replica metadata %+v", rd)
	}

	// A rotation needs AWSPENDING off other versions.
	xtest.Must[*secretsmanager.UpdateSecretVersionStageOutput](t)(e.East.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String("s"), VersionStage: aws.String("AWSPENDING"), RemoveFromVersionId: aws.String(token("v3")),
	}))
	xtest.Must[*secretsmanager.RotateSecretOutput](t)(e.East.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
		SecretId: aws.String("s"), RotationLambdaARN: aws.String(lambdaARN), RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)},
	}))
	e.Instance.WaitIdle()
	waitStatus(t, e.East, "s", "InSync", "eu-west-3")
	rd = describe(t, rep, "s")
	if !aws.ToBool(rd.RotationEnabled) || aws.ToInt64(rd.RotationRules.AutomaticallyAfterDays) != 7 || rd.LastRotatedDate == nil {
		t.Errorf("replica rotation %+v", rd)
	}
	if a, b := getValue(t, e.East, "s"), getValue(t, rep, "s"); aws.ToString(a.SecretString) != aws.ToString(b.SecretString) || aws.ToString(a.VersionId) != aws.ToString(b.VersionId) {
		t.Errorf("rotated value did not reach the replica")
	}

	// The policy reached the replica: it shows once the replica is promoted.
	xtest.Must[*secretsmanager.StopReplicationToReplicaOutput](t)(rep.StopReplicationToReplica(ctx, &secretsmanager.StopReplicationToReplicaInput{SecretId: aws.String("s")}))
	pol := xtest.Must[*secretsmanager.GetResourcePolicyOutput](t)(rep.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("s")}))
	if aws.ToString(pol.ResourcePolicy) != privatePolicy {
		t.Errorf("replicated policy %q", aws.ToString(pol.ResourcePolicy))
	}
}

// TestReplicaIsReadOnly: mutating calls in the replica's Region answer AWS's text, except
// UpdateSecret that only changes the KMS key.
func TestReplicaIsReadOnly(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), AddReplicaRegions: replicas("us-west-2"),
	}))
	waitStatus(t, e.East, "s", "InSync", "us-west-2")
	w, id := e.West, aws.String("s")
	const msg = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
	calls := map[string]func() error{
		"PutSecretValue": func() error {
			_, err := w.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: id, SecretString: aws.String("x")})
			return err
		},
		"UpdateSecret value": func() error {
			_, err := w.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: id, SecretString: aws.String("x")})
			return err
		},
		"UpdateSecret description": func() error {
			_, err := w.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: id, Description: aws.String("x")})
			return err
		},
		"UpdateSecretVersionStage": func() error {
			_, err := w.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: id, VersionStage: aws.String("x"), MoveToVersionId: aws.String(token("x"))})
			return err
		},
		"TagResource": func() error {
			_, err := w.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: id, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		},
		"UntagResource": func() error {
			_, err := w.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: id, TagKeys: []string{"k"}})
			return err
		},
		"PutResourcePolicy": func() error {
			_, err := w.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: id, ResourcePolicy: aws.String(privatePolicy)})
			return err
		},
		"DeleteResourcePolicy": func() error {
			_, err := w.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: id})
			return err
		},
		"DeleteSecret": func() error {
			_, err := w.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: id})
			return err
		},
		"RestoreSecret": func() error {
			_, err := w.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: id})
			return err
		},
		"RotateSecret": func() error {
			_, err := w.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: id, RotationLambdaARN: aws.String(lambdaARN)})
			return err
		},
		"CancelRotateSecret": func() error {
			_, err := w.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: id})
			return err
		},
		"ReplicateSecretToRegions": func() error {
			_, err := w.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: id, AddReplicaRegions: replicas("eu-west-1")})
			return err
		},
		"RemoveRegionsFromReplication": func() error {
			_, err := w.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{SecretId: id, RemoveReplicaRegions: []string{"us-east-1"}})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) { wantErr(t, call(), "InvalidParameterException", msg) })
	}

	// Its own encryption key is the replica's to change; the primary learns it.
	key := xtest.Must[*kms.CreateKeyOutput](t)(kmsIn(e, "us-west-2").CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	xtest.Must[*secretsmanager.UpdateSecretOutput](t)(w.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: id, KmsKeyId: key.KeyId}))
	st := waitStatus(t, e.East, "s", "InSync", "us-west-2")
	if aws.ToString(st["us-west-2"].KmsKeyId) != aws.ToString(key.KeyId) {
		t.Errorf("primary shows replica key %v", aws.ToString(st["us-west-2"].KmsKeyId))
	}
	list := xtest.Must[*secretsmanager.ListSecretVersionIdsOutput](t)(w.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: id}))
	if list.Versions[0].KmsKeyIds[0] != aws.ToString(key.KeyId) {
		t.Errorf("replica version key %v", list.Versions[0].KmsKeyIds)
	}
	// Later values are encrypted under it too.
	put(t, e.East, "s", token("v2"), "v2")
	waitStatus(t, e.East, "s", "InSync", "us-west-2")
	xtest.Must[*kms.DisableKeyOutput](t)(kmsIn(e, "us-west-2").DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId}))
	_, err := w.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: id})
	wantErr(t, err, "DecryptionFailure", "")
}

func TestRemoveAndDeleteReplicas(t *testing.T) {
	e := start(t)
	out := xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), AddReplicaRegions: replicas("eu-west-3", "us-west-2"),
	}))
	waitStatus(t, e.East, "s", "InSync", "eu-west-3", "us-west-2")

	_, err := e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s")})
	wantErr(t, err, "InvalidParameterException", fmt.Sprintf("You can't delete secret %s that still has replica regions [eu-west-3, us-west-2].", aws.ToString(out.ARN)))

	// A Region that holds no replica is refused, and the others stay.
	_, err = e.East.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{
		SecretId: aws.String("s"), RemoveReplicaRegions: []string{"eu-west-3", "ap-south-1"},
	})
	wantErr(t, err, "InvalidParameterException", "Invalid replica region.")
	if got := status(t, e.East, "s"); len(got) != 2 {
		t.Errorf("a refused removal left %v", got)
	}

	rm := xtest.Must[*secretsmanager.RemoveRegionsFromReplicationOutput](t)(e.East.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{
		SecretId: aws.String("s"), RemoveReplicaRegions: []string{"eu-west-3"},
	}))
	if aws.ToString(rm.ARN) != aws.ToString(out.ARN) || len(rm.ReplicationStatus) != 1 || aws.ToString(rm.ReplicationStatus[0].Region) != "us-west-2" {
		t.Errorf("remove = %+v", rm)
	}
	xtest.CheckFor(t, 10*time.Second, func() error {
		_, err := e.In("eu-west-3").DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
		if err == nil {
			return fmt.Errorf("replica still in eu-west-3")
		}
		return nil
	})
	// As Terraform destroys: remove every replica, then force the deletion at once.
	rm = xtest.Must[*secretsmanager.RemoveRegionsFromReplicationOutput](t)(e.East.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{
		SecretId: aws.String("s"), RemoveReplicaRegions: []string{"us-west-2"},
	}))
	if rm.ReplicationStatus == nil || len(rm.ReplicationStatus) != 0 {
		t.Errorf("remaining status %v, want an empty list", rm.ReplicationStatus)
	}
	xtest.Must[*secretsmanager.DeleteSecretOutput](t)(e.East.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), ForceDeleteWithoutRecovery: aws.Bool(true)}))
	xtest.CheckFor(t, 10*time.Second, func() error {
		_, err := e.West.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
		if err == nil {
			return fmt.Errorf("replica still in us-west-2")
		}
		return nil
	})
	// A new secret of the name replicates afresh, with its own ARN.
	again := xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v2"), AddReplicaRegions: replicas("us-west-2"),
	}))
	waitStatus(t, e.East, "s", "InSync", "us-west-2")
	if v := getValue(t, e.West, "s"); aws.ToString(v.ARN) != replicaARN(aws.ToString(again.ARN), "us-west-2") || aws.ToString(v.SecretString) != "v2" {
		t.Errorf("new replica %+v", v)
	}
}

func TestStopReplicationToReplica(t *testing.T) {
	e := start(t)
	out := xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), AddReplicaRegions: replicas("eu-west-3", "us-west-2"),
	}))
	waitStatus(t, e.East, "s", "InSync", "eu-west-3", "us-west-2")
	_, err := e.East.StopReplicationToReplica(ctx, &secretsmanager.StopReplicationToReplicaInput{SecretId: aws.String("s")})
	wantErr(t, err, "InvalidParameterException", "")

	stop := xtest.Must[*secretsmanager.StopReplicationToReplicaOutput](t)(e.West.StopReplicationToReplica(ctx, &secretsmanager.StopReplicationToReplicaInput{SecretId: aws.String("s")}))
	if aws.ToString(stop.ARN) != replicaARN(aws.ToString(out.ARN), "us-west-2") {
		t.Errorf("promoted ARN %s", aws.ToString(stop.ARN))
	}
	if d := describe(t, e.West, "s"); d.PrimaryRegion != nil {
		t.Errorf("promoted secret still shows PrimaryRegion %s", aws.ToString(d.PrimaryRegion))
	}
	xtest.CheckFor(t, 10*time.Second, func() error {
		if _, ok := status(t, e.East, "s")["us-west-2"]; ok {
			return fmt.Errorf("the primary still lists us-west-2")
		}
		return nil
	})
	// It is a secret of its own now; the old primary's changes no longer reach it.
	put(t, e.West, "s", token("w2"), "west")
	put(t, e.East, "s", token("e2"), "east")
	waitStatus(t, e.East, "s", "InSync", "eu-west-3")
	if v := getValue(t, e.West, "s"); aws.ToString(v.SecretString) != "west" {
		t.Errorf("promoted value %q", aws.ToString(v.SecretString))
	}
	if v := getValue(t, e.In("eu-west-3"), "s"); aws.ToString(v.SecretString) != "east" {
		t.Errorf("remaining replica value %q", aws.ToString(v.SecretString))
	}
	xtest.Must[*secretsmanager.DeleteSecretOutput](t)(e.West.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), ForceDeleteWithoutRecovery: aws.Bool(true)}))
}

// TestReplicateAgainAfterPromotion: once StopReplicationToReplica has promoted a replica,
// replicating the primary to that Region again meets a secret of the same name there: the
// Region turns Failed, and ForceOverwriteReplicaSecret makes it a replica again.
func TestReplicateAgainAfterPromotion(t *testing.T) {
	e := start(t)
	out := xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), AddReplicaRegions: replicas("us-west-2"),
	}))
	waitStatus(t, e.East, "s", "InSync", "us-west-2")
	xtest.Must[*secretsmanager.StopReplicationToReplicaOutput](t)(e.West.StopReplicationToReplica(ctx, &secretsmanager.StopReplicationToReplicaInput{SecretId: aws.String("s")}))
	xtest.CheckFor(t, 10*time.Second, func() error {
		if _, ok := status(t, e.East, "s")["us-west-2"]; ok {
			return fmt.Errorf("the primary still lists us-west-2")
		}
		return nil
	})
	put(t, e.West, "s", token("w2"), "west")

	rs := xtest.Must[*secretsmanager.ReplicateSecretToRegionsOutput](t)(e.East.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{
		SecretId: aws.String("s"), AddReplicaRegions: replicas("us-west-2"),
	}))
	if len(rs.ReplicationStatus) != 1 || rs.ReplicationStatus[0].Status != "InProgress" {
		t.Errorf("answer %+v", rs.ReplicationStatus)
	}
	e.Instance.WaitIdle()
	st := waitStatus(t, e.East, "s", "Failed", "us-west-2")
	if !strings.Contains(aws.ToString(st["us-west-2"].StatusMessage), "already exists") {
		t.Errorf("StatusMessage %q", aws.ToString(st["us-west-2"].StatusMessage))
	}
	if v := getValue(t, e.West, "s"); aws.ToString(v.SecretString) != "west" {
		t.Errorf("the promoted secret was touched: %q", aws.ToString(v.SecretString))
	}

	xtest.Must[*secretsmanager.ReplicateSecretToRegionsOutput](t)(e.East.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{
		SecretId: aws.String("s"), AddReplicaRegions: replicas("us-west-2"), ForceOverwriteReplicaSecret: true,
	}))
	e.Instance.WaitIdle()
	waitStatus(t, e.East, "s", "InSync", "us-west-2")
	v := getValue(t, e.West, "s")
	if aws.ToString(v.SecretString) != "v1" || aws.ToString(v.VersionId) != aws.ToString(out.VersionId) {
		t.Errorf("overwritten replica %+v", v)
	}
	if d := describe(t, e.West, "s"); aws.ToString(d.PrimaryRegion) != "us-east-1" {
		t.Errorf("us-west-2 is not a replica again: %+v", d)
	}
}

// TestReplicateAgainBeforePrimaryLetGo: a Region added again before the old primary has
// seen the promotion is not taken for the promotion and dropped.
func TestReplicateAgainBeforePrimaryLetGo(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Hour))
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), AddReplicaRegions: replicas("us-west-2"),
	}))
	e.Instance.Advance(time.Hour)
	waitStatus(t, e.East, "s", "InSync", "us-west-2")
	xtest.Must[*secretsmanager.StopReplicationToReplicaOutput](t)(e.West.StopReplicationToReplica(ctx, &secretsmanager.StopReplicationToReplicaInput{SecretId: aws.String("s")}))
	xtest.Must[*secretsmanager.ReplicateSecretToRegionsOutput](t)(e.East.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{
		SecretId: aws.String("s"), AddReplicaRegions: replicas("us-west-2"),
	}))
	e.Instance.Advance(time.Hour)
	waitStatus(t, e.East, "s", "Failed", "us-west-2")
	if d := describe(t, e.West, "s"); d.PrimaryRegion != nil {
		t.Errorf("the promoted secret became a replica again without ForceOverwriteReplicaSecret: %+v", d)
	}
}

// TestReplicationFailures: a name taken in the target Region, and a replica key that is
// missing, disabled, in another Region or not a symmetric encryption key, make the Region
// Failed; retrying works.
func TestReplicationFailures(t *testing.T) {
	e := start(t)
	create(t, e.West, "clash", "local")
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("clash"), SecretString: aws.String("primary"), AddReplicaRegions: replicas("us-west-2"),
	}))
	st := waitStatus(t, e.East, "clash", "Failed", "us-west-2")
	if !strings.Contains(aws.ToString(st["us-west-2"].StatusMessage), "already exists") {
		t.Errorf("StatusMessage %q", aws.ToString(st["us-west-2"].StatusMessage))
	}
	if v := getValue(t, e.West, "clash"); aws.ToString(v.SecretString) != "local" {
		t.Errorf("the existing secret was touched")
	}
	// A Failed replica is left alone by later changes...
	put(t, e.East, "clash", token("p2"), "primary2")
	e.Instance.WaitIdle()
	if s := status(t, e.East, "clash")["us-west-2"].Status; s != "Failed" {
		t.Errorf("status %s", s)
	}
	// ... and retried, with overwrite, by ReplicateSecretToRegions.
	rs := xtest.Must[*secretsmanager.ReplicateSecretToRegionsOutput](t)(e.East.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{
		SecretId: aws.String("clash"), AddReplicaRegions: replicas("us-west-2"), ForceOverwriteReplicaSecret: true,
	}))
	// The answer says InProgress, as AWS's does; with a transition delay of zero the
	// replica is written within the call, so the very next read sees it InSync.
	if len(rs.ReplicationStatus) != 1 || rs.ReplicationStatus[0].Status != "InProgress" {
		t.Errorf("retry answer %+v", rs.ReplicationStatus)
	}
	if s := status(t, e.East, "clash")["us-west-2"].Status; s != "InSync" {
		t.Errorf("status right after the retry: %s", s)
	}
	if v := getValue(t, e.West, "clash"); aws.ToString(v.SecretString) != "primary2" {
		t.Errorf("overwritten replica value %q", aws.ToString(v.SecretString))
	}
	if d := describe(t, e.West, "clash"); aws.ToString(d.PrimaryRegion) != "us-east-1" {
		t.Errorf("overwritten secret is not a replica: %+v", d)
	}

	westKey := xtest.Must[*kms.CreateKeyOutput](t)(kmsIn(e, "us-west-2").CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	eastKey := xtest.Must[*kms.CreateKeyOutput](t)(kmsIn(e, "us-east-1").CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	rsaKey := xtest.Must[*kms.CreateKeyOutput](t)(kmsIn(e, "us-west-2").CreateKey(ctx, &kms.CreateKeyInput{
		KeySpec: kmstypes.KeySpecRsa2048, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt,
	})).KeyMetadata
	xtest.Must[*kms.DisableKeyOutput](t)(kmsIn(e, "us-west-2").DisableKey(ctx, &kms.DisableKeyInput{KeyId: westKey.KeyId}))
	for name, key := range map[string]string{
		"missing":    "alias/none",
		"disabled":   aws.ToString(westKey.Arn),
		"elsewhere":  aws.ToString(eastKey.Arn),
		"asymmetric": aws.ToString(rsaKey.Arn), // the sync within CreateSecret must not fail the call
	} {
		xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
			Name: aws.String(name), SecretString: aws.String("v"),
			AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("us-west-2"), KmsKeyId: aws.String(key)}},
		}))
		st := waitStatus(t, e.East, name, "Failed", "us-west-2")
		if msg := aws.ToString(st["us-west-2"].StatusMessage); !strings.Contains(msg, "KMS key") || aws.ToString(st["us-west-2"].KmsKeyId) != key {
			t.Errorf("%s: %+v %s", name, st["us-west-2"], msg)
		}
		_, err := e.West.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		wantErr(t, err, "ResourceNotFoundException", "")
	}
	xtest.Must[*kms.EnableKeyOutput](t)(kmsIn(e, "us-west-2").EnableKey(ctx, &kms.EnableKeyInput{KeyId: westKey.KeyId}))
	xtest.Must[*secretsmanager.ReplicateSecretToRegionsOutput](t)(e.East.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{
		SecretId: aws.String("disabled"), AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("us-west-2"), KmsKeyId: westKey.Arn}},
	}))
	waitStatus(t, e.East, "disabled", "InSync", "us-west-2")
	getValue(t, e.West, "disabled")

	_, err := e.East.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: aws.String("missing"), AddReplicaRegions: replicas("us-east-1")})
	wantErr(t, err, "InvalidParameterException", "Invalid replica region.")
	_, err = e.East.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: aws.String("nope"), AddReplicaRegions: replicas("eu-west-1")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

// TestReplicateExistingSecret: ReplicateSecretToRegions on a secret with history copies
// every version, deprecated ones included.
func TestReplicateExistingSecret(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("old"), SecretBinary: []byte{9, 9}, ClientRequestToken: aws.String(token("b1")),
	}))
	for i := 2; i <= 4; i++ {
		xtest.Must[*secretsmanager.PutSecretValueOutput](t)(e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
			SecretId: aws.String("old"), SecretBinary: []byte{byte(i)}, ClientRequestToken: aws.String(token(fmt.Sprint("b", i))),
		}))
	}
	out := xtest.Must[*secretsmanager.ReplicateSecretToRegionsOutput](t)(e.East.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{
		SecretId: aws.String("old"), AddReplicaRegions: replicas("ap-southeast-2"),
	}))
	if len(out.ReplicationStatus) != 1 || aws.ToString(out.ReplicationStatus[0].KmsKeyId) != "alias/aws/secretsmanager" {
		t.Errorf("answer %+v", out.ReplicationStatus)
	}
	waitStatus(t, e.East, "old", "InSync", "ap-southeast-2")
	rep := e.In("ap-southeast-2")
	if got, want := stagesOf(t, rep, "old"), stagesOf(t, e.East, "old"); fmt.Sprint(got) != fmt.Sprint(want) || len(got) != 4 {
		t.Errorf("replica versions %v, want %v", got, want)
	}
	v := xtest.Must[*secretsmanager.GetSecretValueOutput](t)(rep.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("old"), VersionId: aws.String(token("b1"))}))
	if string(v.SecretBinary) != "\x09\x09" {
		t.Errorf("deprecated version value %v", v.SecretBinary)
	}
}

// TestZeroDelayReplicatesWithinTheCall: with a transition delay of zero, a replica can be
// read as soon as the call that changed the primary has answered, with no polling.
func TestZeroDelayReplicatesWithinTheCall(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("now"), SecretString: aws.String("v1"), AddReplicaRegions: replicas("us-west-2"),
	}))
	if v := getValue(t, e.West, "now"); aws.ToString(v.SecretString) != "v1" {
		t.Errorf("replica right after create: %q", aws.ToString(v.SecretString))
	}
	for i := 2; i <= 20; i++ {
		want := fmt.Sprintf("v%02d", i)
		put(t, e.East, "now", token(want), want)
		if v := getValue(t, e.West, "now"); aws.ToString(v.SecretString) != want || aws.ToString(v.VersionId) != token(want) {
			t.Fatalf("replica right after put %d: %+v", i, v)
		}
	}
	if s := status(t, e.East, "now")["us-west-2"].Status; s != "InSync" {
		t.Errorf("status %s", s)
	}
}

// TestReplicaShowsThePrimarysPolicy: GetResourcePolicy is a read, which a replica answers
// with the policy its primary has, once the change has synced.
func TestReplicaShowsThePrimarysPolicy(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v1"), AddReplicaRegions: replicas("us-west-2"),
	}))
	waitStatus(t, e.East, "s", "InSync", "us-west-2")
	policyIn := func(c *secretsmanager.Client) *secretsmanager.GetResourcePolicyOutput {
		return xtest.Must[*secretsmanager.GetResourcePolicyOutput](t)(c.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("s")}))
	}
	if got := policyIn(e.West); got.ResourcePolicy != nil || aws.ToString(got.Name) != "s" || !strings.Contains(aws.ToString(got.ARN), ":us-west-2:") {
		t.Errorf("replica without a policy answered %+v", got)
	}
	xtest.Must[*secretsmanager.PutResourcePolicyOutput](t)(e.East.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{
		SecretId: aws.String("s"), ResourcePolicy: aws.String(privatePolicy),
	}))
	e.Instance.WaitIdle()
	if got := aws.ToString(policyIn(e.West).ResourcePolicy); got != privatePolicy {
		t.Errorf("replica policy %q, want the primary's", got)
	}
}
