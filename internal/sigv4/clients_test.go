package sigv4

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// checked is one request a real SDK client sent, as verified by the server.
type checked struct {
	auth *Auth
	err  error
	r    *http.Request
	body []byte
}

// sdkServer verifies every request it receives with the real clock (the SDK clients sign
// with it) and answers an empty success; the clients' view of the answer does not matter.
type sdkServer struct {
	*httptest.Server
	mu  sync.Mutex
	got []checked
}

func newSDKServer(t *testing.T) *sdkServer {
	s := &sdkServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a, err := Parse(r)
		if err == nil {
			err = Verify(r, body, a, testSecret, time.Now())
		}
		s.mu.Lock()
		s.got = append(s.got, checked{a, err, r.Clone(context.Background()), body})
		s.mu.Unlock()
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, "<Response><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></Response>")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}")
	}))
	t.Cleanup(s.Close)
	return s
}

// take returns the requests received since the last call.
func (s *sdkServer) take() []checked {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := s.got
	s.got = nil
	return got
}

func (s *sdkServer) config(region string, creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 1,
	}
}

// expectVerified checks that exactly one request arrived, for service, and verified.
func expectVerified(t *testing.T, got []checked, service, region string) checked {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("server received %d requests, want 1", len(got))
	}
	c := got[0]
	wantKind(t, c.err, 0)
	if c.auth.Service != service || c.auth.Region != region {
		t.Errorf("scope %s/%s, want %s/%s", c.auth.Service, c.auth.Region, service, region)
	}
	return c
}

// TestVerifyRealClients drives the SDK for Go's service clients — with all their
// middleware: content-length, amz-sdk-* headers, path labels, query bindings — against a
// server that verifies what they send.
func TestVerifyRealClients(t *testing.T) {
	srv := newSDKServer(t)
	ctx := context.Background()
	const region = "eu-central-1"
	cfg := srv.config(region, testCreds)
	sessionCfg := srv.config(region, testSessionCreds)

	calls := []struct {
		name, service string
		call          func() error
	}{
		{"kms ListKeys", "kms", func() error {
			_, err := kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{})
			return err
		}},
		{"kms Encrypt", "kms", func() error {
			_, err := kms.NewFromConfig(cfg).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/a b"), Plaintext: []byte("ü\x00\xff"),
				EncryptionContext: map[string]string{"k": "v w"}})
			return err
		}},
		{"secretsmanager GetSecretValue", "secretsmanager", func() error {
			_, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db+x=y@z")})
			return err
		}},
		{"secretsmanager with session token", "secretsmanager", func() error {
			_, err := secretsmanager.NewFromConfig(sessionCfg).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
			return err
		}},
		{"backup DescribeBackupVault", "backup", func() error {
			_, err := backup.NewFromConfig(cfg).DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String("vault-1_a")})
			return err
		}},
		{"backup ListTags with ARN label", "backup", func() error {
			_, err := backup.NewFromConfig(cfg).ListTags(ctx, &backup.ListTagsInput{
				ResourceArn: aws.String("arn:aws:rds:eu-central-1:123456789012:db:my db/ü~!*'()")})
			return err
		}},
		{"backup ListBackupJobs with query", "backup", func() error {
			_, err := backup.NewFromConfig(cfg).ListBackupJobs(ctx, &backup.ListBackupJobsInput{
				ByState:        backuptypes.BackupJobStateCompleted,
				ByCreatedAfter: aws.Time(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)),
				NextToken:      aws.String("a+b/c=d e"),
				MaxResults:     aws.Int32(10),
			})
			return err
		}},
		{"backup CreateBackupPlan (PUT with body)", "backup", func() error {
			_, err := backup.NewFromConfig(sessionCfg).CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{
				BackupPlan: &backuptypes.BackupPlanInput{BackupPlanName: aws.String("plan"), Rules: []backuptypes.BackupRuleInput{
					{RuleName: aws.String("daily"), TargetBackupVaultName: aws.String("v"), ScheduleExpression: aws.String("cron(0 5 ? * * *)")}}},
			})
			return err
		}},
		{"sts GetCallerIdentity", "sts", func() error {
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
		{"sts AssumeRole with policy", "sts", func() error {
			_, err := sts.NewFromConfig(sessionCfg).AssumeRole(ctx, &sts.AssumeRoleInput{
				RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), RoleSessionName: aws.String("s@x=y,z"),
				Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
			return err
		}},
		{"rds DescribeDBInstances with filters", "rds", func() error {
			_, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{
				Filters: []rdstypes.Filter{{Name: aws.String("engine"), Values: []string{"postgres", "my sql"}}}})
			return err
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			_ = c.call() // the answer is a stub; only what the server saw matters
			expectVerified(t, srv.take(), c.service, region)
		})
	}
}

// TestVerifyRealPresigners checks the SDK's presigners: STS GetCallerIdentity (the URL
// EKS tokens and Vault's AWS auth carry), and the PreSignedUrl that the RDS client
// builds for a cross-Region copy, which the RDS service will check with this package.
func TestVerifyRealPresigners(t *testing.T) {
	srv := newSDKServer(t)
	ctx := context.Background()

	t.Run("sts PresignGetCallerIdentity", func(t *testing.T) {
		for _, creds := range []aws.Credentials{testCreds, testSessionCreds} {
			p, err := sts.NewPresignClient(sts.NewFromConfig(srv.config("us-east-1", creds))).
				PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			req := newRequest(t, p.Method, p.URL, nil)
			for k, v := range p.SignedHeader {
				if k != "Host" {
					req.Header[k] = v
				}
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			c := expectVerified(t, srv.take(), "sts", "us-east-1")
			if !c.auth.Presigned || c.auth.SecurityToken != creds.SessionToken {
				t.Errorf("parsed %+v", c.auth)
			}
		}
	})

	t.Run("rds CopyDBSnapshot PreSignedUrl", func(t *testing.T) {
		_, _ = rds.NewFromConfig(srv.config("eu-west-1", testCreds)).CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{
			SourceDBSnapshotIdentifier: aws.String("arn:aws:rds:us-east-1:123456789012:snapshot:rds:db-2024-05-01-00-00"),
			TargetDBSnapshotIdentifier: aws.String("copy"),
			KmsKeyId:                   aws.String("arn:aws:kms:eu-west-1:123456789012:key/k"),
			SourceRegion:               aws.String("us-east-1"),
		})
		c := expectVerified(t, srv.take(), "rds", "eu-west-1")
		form, err := url.ParseQuery(string(c.body))
		if err != nil {
			t.Fatal(err)
		}
		presigned := form.Get("PreSignedUrl")
		if presigned == "" {
			t.Fatalf("no PreSignedUrl in %s", c.body)
		}
		// As the RDS service will: turn the URL into a request and check it.
		req, err := http.NewRequest(http.MethodGet, presigned, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Parse(req)
		wantKind(t, err, 0)
		wantKind(t, Verify(req, nil, a, testSecret, time.Now()), 0)
		if !a.Presigned || a.Region != "us-east-1" || a.Service != "rds" {
			t.Errorf("parsed %+v", a)
		}
		// The URL binds its parameters.
		req.URL.RawQuery = strings.Replace(req.URL.RawQuery, "TargetDBSnapshotIdentifier=copy", "TargetDBSnapshotIdentifier=other", 1)
		wantKind(t, Verify(req, nil, a, testSecret, time.Now()), KindSignatureMismatch)
	})
}
