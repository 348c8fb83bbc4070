package rds_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

// encryptedSource creates the seed's encrypted instance in us-east-1.
func (e *env) encryptedSource(t *testing.T, id string) *types.DBInstance {
	t.Helper()
	in := postgres(id)
	in.StorageEncrypted = aws.Bool(true)
	return e.create(t, e.East, in)
}

func (e *env) startReplication(t *testing.T, in *rds.StartDBInstanceAutomatedBackupsReplicationInput) *types.DBInstanceAutomatedBackup {
	t.Helper()
	out := xtest.Must[*rds.StartDBInstanceAutomatedBackupsReplicationOutput](t)(e.West.StartDBInstanceAutomatedBackupsReplication(ctx, in))
	return out.DBInstanceAutomatedBackup
}

func TestReplicationLifecycle(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Minute))
	in := postgres("mydb")
	in.StorageEncrypted = aws.Bool(true)
	xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	e.advance(2 * time.Minute)
	src := e.describe(t, e.East, "mydb")
	key := e.kmsKey(t, e.kmsWest)

	b := e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{
		SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(key),
	})
	arn := aws.ToString(b.DBInstanceAutomatedBackupsArn)
	if aws.ToString(b.Status) != "pending" || b.RestoreWindow == nil || b.RestoreWindow.LatestTime != nil || aws.ToString(b.Region) != "us-east-1" ||
		aws.ToString(b.DBInstanceArn) != aws.ToString(src.DBInstanceArn) || aws.ToString(b.KmsKeyId) != key || aws.ToInt32(b.BackupRetentionPeriod) != 7 ||
		aws.ToString(b.DbiResourceId) != aws.ToString(src.DbiResourceId) || aws.ToString(b.DBInstanceIdentifier) != "mydb" || !aws.ToBool(b.Encrypted) ||
		!strings.HasPrefix(arn, "arn:aws:rds:us-west-2:"+account+":auto-backup:ab-") {
		t.Fatalf("start answered %+v", b)
	}
	reps := e.describe(t, e.East, "mydb").DBInstanceAutomatedBackupsReplications
	if len(reps) != 1 || aws.ToString(reps[0].DBInstanceAutomatedBackupsArn) != arn {
		t.Fatalf("source lists %+v", reps)
	}
	if own := e.ownBackup(t, e.East, "mydb"); len(own.DBInstanceAutomatedBackupsReplications) != 1 {
		t.Errorf("the source's own automated backup lists %+v", own.DBInstanceAutomatedBackupsReplications)
	}
	_, err := e.West.StartDBInstanceAutomatedBackupsReplication(ctx, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(key)})
	wantErr(t, err, "InvalidDBInstanceState", 400, "already replicating")

	e.advance(time.Minute)
	r := e.backupByARN(t, e.West, arn)
	if aws.ToString(r.Status) != "replicating" || r.RestoreWindow.LatestTime == nil || r.RestoreWindow.EarliestTime == nil {
		t.Fatalf("after the transition: %+v", r)
	}
	// The replica has the source's DbiResourceId in its own Region.
	byDBI := xtest.Must[*rds.DescribeDBInstanceAutomatedBackupsOutput](t)(e.West.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{DbiResourceId: src.DbiResourceId}))
	if len(byDBI.DBInstanceAutomatedBackups) != 1 {
		t.Errorf("by DbiResourceId in us-west-2: %d", len(byDBI.DBInstanceAutomatedBackups))
	}

	// The window tracks the source.
	before := *r.RestoreWindow.LatestTime
	e.advance(3 * time.Hour)
	after := *e.backupByARN(t, e.West, arn).RestoreWindow.LatestTime
	if d := after.Sub(before); d < 3*time.Hour-logGrace || d > 3*time.Hour+logGrace {
		t.Errorf("the replicated window moved by %s in 3 hours", d)
	}

	// While the source Region is unreachable it stops, and it resumes after.
	e.SetUnreachable("us-east-1", true)
	e.advance(2 * time.Hour)
	frozen := *e.backupByARN(t, e.West, arn).RestoreWindow.LatestTime
	if d := frozen.Sub(after); d > logGrace {
		t.Errorf("the replicated window moved by %s while us-east-1 was unreachable", d)
	}
	srcLatest := *e.describe(t, e.East, "mydb").LatestRestorableTime
	if srcLatest.Sub(frozen) < 2*time.Hour-logGrace {
		t.Errorf("the source's own window should have gone on: source %s, replica %s", srcLatest, frozen)
	}
	e.SetUnreachable("us-east-1", false)
	e.advance(10 * time.Minute)
	resumed := *e.backupByARN(t, e.West, arn).RestoreWindow.LatestTime
	if resumed.Sub(frozen) < 2*time.Hour {
		t.Errorf("the replicated window did not catch up: %s -> %s", frozen, resumed)
	}
	// The destination being unreachable stops it too.
	e.SetUnreachable("us-west-2", true)
	e.advance(time.Hour)
	if got := *e.backupByARN(t, e.West, arn).RestoreWindow.LatestTime; got.Sub(resumed) > logGrace+10*time.Minute {
		t.Errorf("the window moved by %s while us-west-2 was unreachable", got.Sub(resumed))
	}
	e.SetUnreachable("us-west-2", false)

	// Months pass: the clock can be moved far ahead without the replica costing a job
	// per log upload, and the window follows (bounded by the retention).
	e.advance(120 * 24 * time.Hour)
	far := e.backupByARN(t, e.West, arn).RestoreWindow
	if srcLatest := *e.describe(t, e.East, "mydb").LatestRestorableTime; srcLatest.Sub(*far.LatestTime) > logGrace {
		t.Errorf("after 120 days the replica's window ends at %s, the source's at %s", far.LatestTime, srcLatest)
	}

	// Stop: the answer is the backup as the call found it; then it is retained and the
	// source no longer lists it.
	stop := xtest.Must[*rds.StopDBInstanceAutomatedBackupsReplicationOutput](t)(e.West.StopDBInstanceAutomatedBackupsReplication(ctx,
		&rds.StopDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn}))
	if aws.ToString(stop.DBInstanceAutomatedBackup.Status) != "replicating" || aws.ToString(stop.DBInstanceAutomatedBackup.DBInstanceAutomatedBackupsArn) != arn {
		t.Errorf("stop answered %+v", stop.DBInstanceAutomatedBackup)
	}
	if got := e.backupByARN(t, e.West, arn); aws.ToString(got.Status) != "retained" {
		t.Errorf("after stop: %s", aws.ToString(got.Status))
	}
	if reps := e.describe(t, e.East, "mydb").DBInstanceAutomatedBackupsReplications; len(reps) != 0 {
		t.Errorf("source still lists %+v", reps)
	}
	_, err = e.West.StopDBInstanceAutomatedBackupsReplication(ctx, &rds.StopDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn})
	wantErr(t, err, "InvalidDBInstanceState", 400, "not replicating to the current region")

	// Restarting with another key is refused; with the same key the retained replica comes
	// back under its ARN.
	other := e.kmsKey(t, e.kmsWest)
	_, err = e.West.StartDBInstanceAutomatedBackupsReplication(ctx, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(other)})
	wantErr(t, err, "InvalidParameterCombination", 400, key)
	again := e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(key), BackupRetentionPeriod: aws.Int32(14)})
	if aws.ToString(again.DBInstanceAutomatedBackupsArn) != arn || aws.ToString(again.Status) != "pending" || aws.ToInt32(again.BackupRetentionPeriod) != 14 {
		t.Errorf("restart answered %+v", again)
	}
	e.advance(time.Minute)

	// Deleting the source leaves the replica retained.
	xtest.Must[*rds.DeleteDBInstanceOutput](t)(e.East.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("mydb"), SkipFinalSnapshot: aws.Bool(true)}))
	e.advance(time.Minute)
	r = e.backupByARN(t, e.West, arn)
	if aws.ToString(r.Status) != "retained" || r.RestoreWindow.LatestTime == nil {
		t.Fatalf("after deleting the source: %+v", r)
	}
	// It expires when its retention ends.
	e.advance(15 * 24 * time.Hour)
	_, err = e.West.DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{DBInstanceAutomatedBackupsArn: aws.String(arn)})
	wantErr(t, err, "DBInstanceAutomatedBackupNotFound", 404, "")
}

func TestReplicationErrors(t *testing.T) {
	e := start(t)
	src := e.encryptedSource(t, "enc")
	plainIn := postgres("nobackups")
	plainIn.BackupRetentionPeriod = aws.Int32(0)
	plain := e.create(t, e.East, plainIn)
	westKey := e.kmsKey(t, e.kmsWest)
	eastKey := e.kmsKey(t, e.kmsEast)
	disabled := e.kmsKey(t, e.kmsWest)
	xtest.Must[*kms.DisableKeyOutput](t)(e.kmsWest.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(disabled)}))

	cases := []struct {
		name   string
		client *rds.Client
		in     *rds.StartDBInstanceAutomatedBackupsReplicationInput
		code   string
		status int
		msg    string
	}{
		{"missing source", e.West, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: aws.String("arn:aws:rds:us-east-1:" + account + ":db:missing")},
			"DBInstanceNotFound", 404, "arn:aws:rds:us-east-1:" + account + ":db:missing"},
		{"same region", e.East, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(eastKey)},
			"InvalidParameterValue", 400, "can only be replicated to another Region"},
		{"not an arn", e.West, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: aws.String("enc")}, "InvalidParameterValue", 400, "not a valid DB instance ARN"},
		{"other partition", e.West, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: aws.String("arn:aws-cn:rds:cn-north-1:" + account + ":db:enc")},
			"InvalidParameterValue", 400, "can't be replicated from cn-north-1 to us-west-2"},
		{"no automated backups", e.West, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: plain.DBInstanceArn}, "InvalidDBInstanceState", 400,
			"Automated backups are not enabled for DB instance nobackups."},
		{"encrypted without key", e.West, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn}, "KMSKeyNotAccessibleFault", 400,
			"Encrypted instances require a valid KMS key ID"},
		{"key of the source region", e.West, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(eastKey)},
			"KMSKeyNotAccessibleFault", 400, eastKey},
		{"disabled key", e.West, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(disabled)},
			"KMSKeyNotAccessibleFault", 400, disabled},
		{"retention", e.West, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(westKey), BackupRetentionPeriod: aws.Int32(0)},
			"InvalidParameterValue", 400, "Invalid backup retention period: 0"},
		{"bad presigned url", e.West, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(westKey), PreSignedUrl: aws.String("https://example.com/")},
			"InvalidParameterValue", 400, "PreSignedUrl could not be authenticated."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.client.StartDBInstanceAutomatedBackupsReplication(ctx, c.in)
			wantErr(t, err, c.code, c.status, c.msg)
		})
	}
	_, err := e.West.StopDBInstanceAutomatedBackupsReplication(ctx, &rds.StopDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: aws.String("arn:aws:rds:us-east-1:" + account + ":db:missing")})
	wantErr(t, err, "DBInstanceNotFound", 404, "")
	// Nothing was half-written.
	if reps := e.describe(t, e.East, "enc").DBInstanceAutomatedBackupsReplications; len(reps) != 0 {
		t.Errorf("source lists %+v", reps)
	}

	// An unencrypted source replicates without a key.
	plainSrc := e.create(t, e.East, postgres("plain"))
	b := e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: plainSrc.DBInstanceArn, BackupRetentionPeriod: aws.Int32(14)})
	if b.KmsKeyId != nil || aws.ToBool(b.Encrypted) || aws.ToInt32(b.BackupRetentionPeriod) != 14 {
		t.Errorf("unencrypted replica %+v", b)
	}
}

func TestReplicationQuota(t *testing.T) {
	e := start(t)
	var arns []*string
	for i := 0; i < 21; i++ {
		db := e.create(t, e.East, postgres(fmt.Sprintf("src%02d", i)))
		arns = append(arns, db.DBInstanceArn)
	}
	for i := 0; i < 20; i++ {
		e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: arns[i]})
	}
	_, err := e.West.StartDBInstanceAutomatedBackupsReplication(ctx, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: arns[20]})
	wantErr(t, err, "DBInstanceAutomatedBackupQuotaExceeded", 400, "quota of 20 replicated automated backups")
	// Another destination has its own quota, and stopping one makes room.
	xtest.Must[*rds.StartDBInstanceAutomatedBackupsReplicationOutput](t)(e.In("eu-west-1").StartDBInstanceAutomatedBackupsReplication(ctx,
		&rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: arns[20]}))
	xtest.Must[*rds.StopDBInstanceAutomatedBackupsReplicationOutput](t)(e.West.StopDBInstanceAutomatedBackupsReplication(ctx,
		&rds.StopDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: arns[0]}))
	e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: arns[20]})
}

func TestReplicationStopsWhenItsKeyIsDisabled(t *testing.T) {
	e := start(t)
	src := e.encryptedSource(t, "keyed")
	key := e.kmsKey(t, e.kmsWest)
	arn := aws.ToString(e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, KmsKeyId: aws.String(key)}).DBInstanceAutomatedBackupsArn)
	e.WaitIdle()
	xtest.Must[*kms.DisableKeyOutput](t)(e.kmsWest.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(key)}))
	// The hourly replication check notices the broken key.
	e.advance(time.Hour)
	if got := e.backupByARN(t, e.West, arn); aws.ToString(got.Status) != "retained" {
		t.Fatalf("with its key disabled the replica is %s", aws.ToString(got.Status))
	}
	if reps := e.describe(t, e.East, "keyed").DBInstanceAutomatedBackupsReplications; len(reps) != 0 {
		t.Errorf("source still lists %+v", reps)
	}
}

// presign builds a SigV4 presigned URL for action in region, as the CLI and boto3 do
// from --source-region.
func presign(t *testing.T, e *env, region, secret string, params url.Values) string {
	t.Helper()
	params.Set("Version", "2014-10-31")
	req, err := http.NewRequest(http.MethodGet, e.URL+"/?"+params.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := req.URL.Query()
	q.Set("X-Amz-Expires", "3600")
	req.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: secret}
	u, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "rds", region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestReplicationPresignedURL(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	e := start(t, servertest.WithStrictAuth("AKIAIOSFODNN7EXAMPLE:"+secret))
	src := e.create(t, e.East, postgres("presigned"))
	srcARN := aws.ToString(src.DBInstanceArn)
	params := func(action, arn string) url.Values {
		return url.Values{"Action": {action}, "SourceDBInstanceArn": {arn}, "DestinationRegion": {"us-west-2"}}
	}
	bad := map[string]string{
		"wrong secret":      presign(t, e, "us-east-1", "not-the-secret", params("StartDBInstanceAutomatedBackupsReplication", srcARN)),
		"wrong region":      presign(t, e, "eu-west-1", secret, params("StartDBInstanceAutomatedBackupsReplication", srcARN)),
		"wrong action":      presign(t, e, "us-east-1", secret, params("CopyDBSnapshot", srcARN)),
		"other instance":    presign(t, e, "us-east-1", secret, params("StartDBInstanceAutomatedBackupsReplication", srcARN+"x")),
		"other destination": presign(t, e, "us-east-1", secret, url.Values{"Action": {"StartDBInstanceAutomatedBackupsReplication"}, "SourceDBInstanceArn": {srcARN}, "DestinationRegion": {"eu-west-1"}}),
		"not presigned":     e.URL + "/?Action=StartDBInstanceAutomatedBackupsReplication",
		"not a url":         "::::",
	}
	for name, u := range bad {
		_, err := e.West.StartDBInstanceAutomatedBackupsReplication(ctx, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, PreSignedUrl: aws.String(u)})
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		wantErr(t, err, "InvalidParameterValue", 400, "PreSignedUrl could not be authenticated.")
	}
	good := presign(t, e, "us-east-1", secret, params("StartDBInstanceAutomatedBackupsReplication", srcARN))
	b := e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, PreSignedUrl: aws.String(good)})
	if aws.ToString(b.Status) != "pending" {
		t.Errorf("start with a good presigned URL answered %+v", b)
	}
	xtest.Must[*rds.StopDBInstanceAutomatedBackupsReplicationOutput](t)(e.West.StopDBInstanceAutomatedBackupsReplication(ctx,
		&rds.StopDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn}))

	// The SDK for JavaScript signs for the real host of the source Region and leaves out of
	// the signature a parameter it has no value for, then writes the URL with the local
	// endpoint's port and that parameter without "=": the URL asks for the same thing.
	port := e.URL[strings.LastIndex(e.URL, ":"):]
	req, err := http.NewRequest(http.MethodGet, "https://rds.us-east-1.amazonaws.com/?"+url.Values{
		"Action": {"StartDBInstanceAutomatedBackupsReplication"}, "Version": {"2014-10-31"}, "SourceDBInstanceArn": {srcARN},
		"DestinationRegion": {"us-west-2"}, "X-Amz-Expires": {"3600"},
	}.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: secret}, req,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "rds", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	jsStyle := strings.Replace(signed, "amazonaws.com/?", "amazonaws.com"+port+"/?KmsKeyId&", 1)
	b = e.startReplication(t, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, PreSignedUrl: aws.String(jsStyle)})
	if aws.ToString(b.Status) != "pending" {
		t.Errorf("start with the JavaScript SDK's form of presigned URL answered %+v", b)
	}
	tampered := strings.Replace(jsStyle, "DestinationRegion=us-west-2", "DestinationRegion=us-west-2&Extra=1", 1)
	_, err = e.West.StartDBInstanceAutomatedBackupsReplication(ctx, &rds.StartDBInstanceAutomatedBackupsReplicationInput{SourceDBInstanceArn: src.DBInstanceArn, PreSignedUrl: aws.String(tampered)})
	wantErr(t, err, "InvalidParameterValue", 400, "PreSignedUrl could not be authenticated.")
}
