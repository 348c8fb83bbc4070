package rds_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
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

var ctx = context.Background()

const account = xtest.Account

// env is a server with RDS clients (East, West, In) and KMS clients in the two Regions.
type env struct {
	*servertest.Env[*rds.Client]
	kmsEast *kms.Client
	kmsWest *kms.Client
}

func start(t testing.TB, opts ...servertest.Option) *env {
	t.Helper()
	e := &env{Env: servertest.StartEnv(t, rds.NewFromConfig, opts...)}
	e.kmsEast, e.kmsWest = kms.NewFromConfig(e.Config("us-east-1")), kms.NewFromConfig(e.Config("us-west-2"))
	return e
}

// postgres is the seed's instance: PostgreSQL 13.4 on db.t3.micro, 10 GiB, seven days of
// backups.
func postgres(id string) *rds.CreateDBInstanceInput {
	return &rds.CreateDBInstanceInput{
		DBInstanceIdentifier:  aws.String(id),
		AllocatedStorage:      aws.Int32(10),
		BackupRetentionPeriod: aws.Int32(7),
		DBName:                aws.String("mydb"),
		Engine:                aws.String("postgres"),
		EngineVersion:         aws.String("13.4"),
		DBInstanceClass:       aws.String("db.t3.micro"),
		MasterUsername:        aws.String("masterusername"),
		MasterUserPassword:    aws.String("mustbeeightcharacters"),
	}
}

// create creates an instance and waits until the job engine has made it available.
func (e *env) create(t *testing.T, c *rds.Client, in *rds.CreateDBInstanceInput) *types.DBInstance {
	t.Helper()
	xtest.Must[*rds.CreateDBInstanceOutput](t)(c.CreateDBInstance(ctx, in))
	e.WaitIdle()
	db := e.describe(t, c, *in.DBInstanceIdentifier)
	if got := aws.ToString(db.DBInstanceStatus); got != "available" {
		t.Fatalf("%s is %s after the transitions, want available", *in.DBInstanceIdentifier, got)
	}
	return db
}

func (e *env) describe(t *testing.T, c *rds.Client, id string) *types.DBInstance {
	t.Helper()
	out := xtest.Must[*rds.DescribeDBInstancesOutput](t)(c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)}))
	if len(out.DBInstances) != 1 {
		t.Fatalf("describe %s: %d instances", id, len(out.DBInstances))
	}
	return &out.DBInstances[0]
}

func (e *env) status(t *testing.T, c *rds.Client, id string) string {
	t.Helper()
	return aws.ToString(e.describe(t, c, id).DBInstanceStatus)
}

func (e *env) backupByARN(t *testing.T, c *rds.Client, arn string) *types.DBInstanceAutomatedBackup {
	t.Helper()
	out := xtest.Must[*rds.DescribeDBInstanceAutomatedBackupsOutput](t)(c.DescribeDBInstanceAutomatedBackups(ctx,
		&rds.DescribeDBInstanceAutomatedBackupsInput{DBInstanceAutomatedBackupsArn: aws.String(arn)}))
	if len(out.DBInstanceAutomatedBackups) != 1 {
		t.Fatalf("describe automated backup %s: %d items", arn, len(out.DBInstanceAutomatedBackups))
	}
	return &out.DBInstanceAutomatedBackups[0]
}

func (e *env) kmsKey(t *testing.T, c *kms.Client) string {
	t.Helper()
	out := xtest.Must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("rds test key")}))
	return aws.ToString(out.KeyMetadata.Arn)
}

// rawQuery sends a signed query-protocol request as it is, for what the SDK would not
// send.
func rawQuery(t *testing.T, e *env, region, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "rds", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// advance moves the clock and lets every job that falls due run.
func (e *env) advance(d time.Duration) {
	e.Advance(d)
	e.WaitIdle()
}

// wantErr checks that err is the AWS error code with the HTTP status and, if msg is not
// empty, that its message contains msg.
func wantErr(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	xtest.WantErrorContaining(t, err, code, status, msg)
}
