package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gateway"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/gen/stsapi"
	"github.com/xregion/xregion/internal/protocol"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/seal"
	"github.com/xregion/xregion/internal/store"
	"github.com/xregion/xregion/internal/store/memory"
	"github.com/xregion/xregion/internal/xtest"
)

// The services below are fakes that exercise the codecs: they echo what they decoded, so
// that the tests check the whole path from an SDK client through the gateway and back.

var created = time.Date(2024, 3, 1, 12, 30, 45, 123e6, time.UTC)

func fakeSecretsManager() gateway.Service {
	return gateway.Service{
		API:        secretsmanagerapi.Model(),
		Validation: awsmodel.CoralValidation(awserr.ValidationException),
		Handlers: []awsmodel.Handler{
			secretsmanagerapi.OpCreateSecret.Handle(func(ctx context.Context, in *secretsmanagerapi.CreateSecretRequest) (*secretsmanagerapi.CreateSecretResponse, error) {
				info := request.From(ctx)
				out := &secretsmanagerapi.CreateSecretResponse{
					ARN:  aws.String(fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s-AbCdEf", info.Partition, info.Region, info.Account, *in.Name)),
					Name: in.Name, VersionId: in.ClientRequestToken,
				}
				for _, r := range in.AddReplicaRegions {
					out.ReplicationStatus = append(out.ReplicationStatus, secretsmanagerapi.ReplicationStatusType{
						Region: r.Region, KmsKeyId: r.KmsKeyId, Status: aws.String(secretsmanagerapi.StatusTypeInProgress),
					})
				}
				return out, nil
			}),
			secretsmanagerapi.OpGetSecretValue.Handle(func(ctx context.Context, in *secretsmanagerapi.GetSecretValueRequest) (*secretsmanagerapi.GetSecretValueResponse, error) {
				switch *in.SecretId {
				case "missing":
					return nil, secretsmanagerapi.ErrResourceNotFound.New("Secrets Manager can't find the specified secret.")
				case "panic":
					panic("boom")
				case "full-disk":
					return nil, fmt.Errorf("secretsmanager: %w", fmt.Errorf("%w: commit: no space left on device", store.ErrNoSpace))
				case "binary":
					return &secretsmanagerapi.GetSecretValueResponse{Name: in.SecretId, SecretBinary: []byte{0, 1, 2, 255}, CreatedDate: &created}, nil
				}
				return &secretsmanagerapi.GetSecretValueResponse{
					Name: in.SecretId, SecretString: aws.String("line1\n\"quoted\" \u00e9 <tag>"), CreatedDate: &created,
					VersionStages: []string{"AWSCURRENT"},
				}, nil
			}),
		},
	}
}

func fakeRDS() gateway.Service {
	return gateway.Service{
		API: rdsapi.Model(),
		Validation: awsmodel.Validation{Invalid: awserr.InvalidParameterValue, Missing: awserr.MissingParameter,
			MissingText: func(p string) string { return "The request must contain the parameter " + p }},
		Handlers: []awsmodel.Handler{
			rdsapi.OpCreateDBInstance.Handle(func(ctx context.Context, in *rdsapi.CreateDBInstanceMessage) (*rdsapi.CreateDBInstanceResult, error) {
				return &rdsapi.CreateDBInstanceResult{DBInstance: &rdsapi.DBInstance{
					DBInstanceIdentifier: in.DBInstanceIdentifier, Engine: in.Engine, AllocatedStorage: in.AllocatedStorage,
					MultiAZ: aws.Bool(false), InstanceCreateTime: &created, TagList: in.Tags,
					VpcSecurityGroups: []rdsapi.VpcSecurityGroupMembership{{VpcSecurityGroupId: aws.String(in.VpcSecurityGroupIds[0]), Status: aws.String("active")}},
					Endpoint:          &rdsapi.Endpoint{Address: aws.String("db.local"), Port: aws.Int64(5432)},
				}}, nil
			}),
			rdsapi.OpDescribeDBInstances.Handle(func(ctx context.Context, in *rdsapi.DescribeDBInstancesMessage) (*rdsapi.DBInstanceMessage, error) {
				if len(in.Filters) == 0 {
					return nil, rdsapi.ErrDBInstanceNotFoundFault.New("DBInstance %s not found.", aws.ToString(in.DBInstanceIdentifier))
				}
				var out rdsapi.DBInstanceMessage
				for _, f := range in.Filters {
					for _, v := range f.Values {
						out.DBInstances = append(out.DBInstances, rdsapi.DBInstance{DBInstanceIdentifier: aws.String(*f.Name + "=" + v)})
					}
				}
				return &out, nil
			}),
			rdsapi.OpRemoveTagsFromResource.Handle(func(ctx context.Context, in *rdsapi.RemoveTagsFromResourceMessage) (*awsmodel.Empty, error) {
				if len(in.TagKeys) != 0 {
					return nil, rdsapi.ErrDBInstanceNotFoundFault.New("want an empty list, got %v", in.TagKeys)
				}
				return nil, nil
			}),
		},
	}
}

func fakeSTS() gateway.Service {
	return gateway.Service{
		API:        stsapi.Model(),
		Validation: awsmodel.CoralValidation(awserr.ValidationError),
		Handlers: []awsmodel.Handler{
			stsapi.OpGetCallerIdentity.Handle(func(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
				info := request.From(ctx)
				return &stsapi.GetCallerIdentityResponse{Account: &info.Account, Arn: &info.Caller.ARN, UserId: &info.Caller.UserID}, nil
			}),
			stsapi.OpAssumeRoleWithWebIdentity.Handle(func(ctx context.Context, in *stsapi.AssumeRoleWithWebIdentityRequest) (*stsapi.AssumeRoleWithWebIdentityResponse, error) {
				return &stsapi.AssumeRoleWithWebIdentityResponse{Audience: aws.String(request.From(ctx).Region)}, nil
			}),
		},
	}
}

func fakeBackup() gateway.Service {
	return gateway.Service{
		API:        backupapi.Model(),
		Validation: awsmodel.CoralValidation(backupapi.ErrInvalidParameterValue),
		Handlers: []awsmodel.Handler{
			backupapi.OpCreateBackupVault.Handle(func(ctx context.Context, in *backupapi.CreateBackupVaultInput) (*backupapi.CreateBackupVaultOutput, error) {
				if *in.BackupVaultName == "exists" {
					return nil, backupapi.ErrAlreadyExists.New("Backup vault with the same name already exists")
				}
				return &backupapi.CreateBackupVaultOutput{BackupVaultName: in.BackupVaultName, CreationDate: &created,
					BackupVaultArn: aws.String("arn:aws:backup:us-east-1:123456789012:backup-vault:" + *in.BackupVaultName + ":" + in.BackupVaultTags["k"])}, nil
			}),
			backupapi.OpListBackupJobs.Handle(func(ctx context.Context, in *backupapi.ListBackupJobsInput) (*backupapi.ListBackupJobsOutput, error) {
				return &backupapi.ListBackupJobsOutput{BackupJobs: []backupapi.BackupJob{{
					BackupJobId: in.ByState, BackupVaultName: in.ByBackupVaultName, ResourceArn: in.ByResourceArn, CreationDate: in.ByCreatedAfter,
					BackupSizeInBytes: in.MaxResults,
				}}}, nil
			}),
			backupapi.OpDescribeRecoveryPoint.Handle(func(ctx context.Context, in *backupapi.DescribeRecoveryPointInput) (*backupapi.DescribeRecoveryPointOutput, error) {
				return &backupapi.DescribeRecoveryPointOutput{RecoveryPointArn: in.RecoveryPointArn, BackupVaultName: in.BackupVaultName}, nil
			}),
			backupapi.OpDeleteBackupVault.Handle(func(ctx context.Context, in *backupapi.DeleteBackupVaultInput) (*awsmodel.Empty, error) {
				return nil, backupapi.ErrResourceNotFound.New("Backup vault %s does not exist", *in.BackupVaultName)
			}),
		},
	}
}

func fakeEC2() gateway.Service {
	return gateway.Service{
		API:        ec2api.Model(),
		Validation: awsmodel.Validation{Invalid: awserr.InvalidParameterValue, Missing: awserr.MissingParameter},
		Handlers: []awsmodel.Handler{
			ec2api.OpDescribeRegions.Handle(func(ctx context.Context, _ *ec2api.DescribeRegionsRequest) (*ec2api.DescribeRegionsResult, error) {
				return &ec2api.DescribeRegionsResult{Regions: []ec2api.Region{{RegionName: aws.String(request.From(ctx).Region)}}}, nil
			}),
		},
	}
}

type testServer struct {
	URL      string
	resolver *auth.Resolver
}

func startServer(t *testing.T, mode string, keys ...auth.Identity) *testServer {
	t.Helper()
	st := memory.New()
	resolver, err := auth.NewResolver(auth.Config{Mode: mode, DefaultAccount: xtest.Account, Static: keys, Sealer: seal.Ephemeral(), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	g := gateway.New(gateway.Config{
		Services: []gateway.Service{fakeSecretsManager(), fakeRDS(), fakeSTS(), fakeBackup(), fakeEC2()},
		Resolver: resolver,
	})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return &testServer{URL: srv.URL, resolver: resolver}
}

func apiError(t *testing.T, err error) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae
}

func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestJSONProtocol(t *testing.T) {
	s := startServer(t, auth.Permissive)
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(xtest.DefaultConfig(s.URL, "eu-west-3"))

	out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("MyTestSecret"), ClientRequestToken: aws.String("token-0000000000000000000000000000001"),
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-west-2"), KmsKeyId: aws.String("alias/x")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *out.ARN, "arn:aws:secretsmanager:eu-west-3:123456789012:secret:MyTestSecret-AbCdEf"; got != want {
		t.Errorf("ARN = %s, want %s", got, want)
	}
	if len(out.ReplicationStatus) != 1 || out.ReplicationStatus[0].Status != smtypes.StatusTypeInProgress || *out.ReplicationStatus[0].KmsKeyId != "alias/x" {
		t.Errorf("ReplicationStatus = %+v", out.ReplicationStatus)
	}

	got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	if *got.SecretString != "line1\n\"quoted\" \u00e9 <tag>" || !got.CreatedDate.Equal(created) || got.VersionStages[0] != "AWSCURRENT" {
		t.Errorf("GetSecretValue = %q %v %v", *got.SecretString, got.CreatedDate, got.VersionStages)
	}
	bin, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("binary")})
	if err != nil || !bytes.Equal(bin.SecretBinary, []byte{0, 1, 2, 255}) {
		t.Errorf("SecretBinary = %v, %v", bin, err)
	}

	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("missing")})
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Secrets Manager can't find the specified secret." {
		t.Errorf("missing secret: %v", err)
	}

	// The model caps names at 512 characters; the SDK does not check lengths, the server must.
	_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(strings.Repeat("n", 513))})
	ae := apiError(t, err)
	if ae.ErrorCode() != "ValidationException" || !strings.Contains(ae.ErrorMessage(), "1 validation error detected: Value '"+strings.Repeat("n", 513)+"' at 'name' failed to satisfy constraint: Member must have length less than or equal to 512") {
		t.Errorf("long name: %s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}

	_, err = sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("x")})
	ae = apiError(t, err)
	if ae.ErrorCode() != "UnknownOperationException" || !strings.Contains(ae.ErrorMessage(), "secretsmanager:RotateSecret") || httpStatus(err) != 400 {
		t.Errorf("unimplemented operation: %d %s: %s", httpStatus(err), ae.ErrorCode(), ae.ErrorMessage())
	}

	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("panic")})
	if ae = apiError(t, err); ae.ErrorCode() != "InternalFailure" || httpStatus(err) != 500 {
		t.Errorf("panic: %d %s", httpStatus(err), ae.ErrorCode())
	}
	// The server keeps serving after a panic.
	if _, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("plain")}); err != nil {
		t.Errorf("after panic: %v", err)
	}
}

// rawCall sends a signed request with an arbitrary body, for what SDKs refuse to send.
func rawCall(t *testing.T, method, url, region, service string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "secret"}
	hash := fmt.Sprintf("%x", sha256sum(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, service, region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestJSONMalformedBodies(t *testing.T) {
	s := startServer(t, auth.Permissive)
	target := map[string]string{"X-Amz-Target": "secretsmanager.GetSecretValue", "Content-Type": "application/x-amz-json-1.1"}
	for _, body := range []string{`{"SecretId":`, `[1,2]`, `{"SecretId": 5}`, `{"SecretId":"a"} trailing`} {
		status, _, resp := rawCall(t, "POST", s.URL, "us-east-1", "secretsmanager", target, body)
		if status != 400 || !strings.Contains(resp, `"__type":"SerializationException"`) {
			t.Errorf("body %q: %d %s", body, status, resp)
		}
	}
	status, _, resp := rawCall(t, "POST", s.URL, "us-east-1", "secretsmanager", map[string]string{"X-Amz-Target": "secretsmanager.NoSuchThing"}, "{}")
	if status != 400 || !strings.Contains(resp, "UnknownOperationException") {
		t.Errorf("unknown operation: %d %s", status, resp)
	}
	status, _, resp = rawCall(t, "POST", s.URL, "us-east-1", "secretsmanager", target, `{}`)
	if status != 400 || !strings.Contains(resp, "Value null at 'secretId' failed to satisfy constraint: Member must not be null") {
		t.Errorf("missing required member: %d %s", status, resp)
	}
	status, _, resp = rawCall(t, "POST", s.URL, "us-east-1", "secretsmanager", target, strings.Repeat(" ", protocol.MaxBodyBytes+1))
	if status != 413 {
		t.Errorf("oversized body: %d %s", status, resp)
	}
}

func TestQueryProtocol(t *testing.T) {
	s := startServer(t, auth.Permissive)
	ctx := context.Background()
	client := rds.NewFromConfig(xtest.DefaultConfig(s.URL, "us-west-2"))

	out, err := client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("mydb"), DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("postgres"),
		AllocatedStorage: aws.Int32(10), VpcSecurityGroupIds: []string{"sg-1"},
		Tags: []rdstypes.Tag{{Key: aws.String("a"), Value: aws.String("1 & <2>")}, {Key: aws.String("b"), Value: aws.String("")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	db := out.DBInstance
	if *db.DBInstanceIdentifier != "mydb" || *db.AllocatedStorage != 10 || *db.MultiAZ || !db.InstanceCreateTime.Equal(created) ||
		*db.Endpoint.Port != 5432 || *db.VpcSecurityGroups[0].VpcSecurityGroupId != "sg-1" {
		t.Errorf("DBInstance = %+v", db)
	}
	if len(db.TagList) != 2 || *db.TagList[0].Value != "1 & <2>" || *db.TagList[1].Key != "b" || *db.TagList[1].Value != "" {
		t.Errorf("TagList = %+v", db.TagList)
	}

	list, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []rdstypes.Filter{
		{Name: aws.String("dbi-resource-id"), Values: []string{"db-1", "db-2"}}, {Name: aws.String("engine"), Values: []string{"postgres"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range list.DBInstances {
		ids = append(ids, *d.DBInstanceIdentifier)
	}
	if got := strings.Join(ids, ","); got != "dbi-resource-id=db-1,dbi-resource-id=db-2,engine=postgres" {
		t.Errorf("filters decoded as %s", got)
	}

	_, err = client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("nope")})
	var nf *rdstypes.DBInstanceNotFoundFault
	if !errors.As(err, &nf) || httpStatus(err) != 404 || nf.ErrorMessage() != "DBInstance nope not found." {
		t.Errorf("not found: %d %v", httpStatus(err), err)
	}

	// An empty list travels as "TagKeys=" and must decode as an empty list.
	if _, err := client.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String("arn"), TagKeys: []string{}}); err != nil {
		t.Errorf("empty list: %v", err)
	}

	_, err = client.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("mydb")})
	ae := apiError(t, err)
	if ae.ErrorCode() != "InvalidAction" || !strings.Contains(ae.ErrorMessage(), "rds:RebootDBInstance") || httpStatus(err) != 400 {
		t.Errorf("unimplemented: %d %s %s", httpStatus(err), ae.ErrorCode(), ae.ErrorMessage())
	}

	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	status, _, body := rawCall(t, "POST", s.URL, "us-west-2", "rds", form, "Action=CreateDBInstance&Version=2014-10-31&Engine=postgres&DBInstanceClass=db.t3.micro")
	if status != 400 || !strings.Contains(body, "<Code>MissingParameter</Code>") || !strings.Contains(body, "The request must contain the parameter DBInstanceIdentifier") ||
		!strings.Contains(body, "<RequestId>") || !strings.Contains(body, "<Type>Sender</Type>") {
		t.Errorf("missing parameter: %d %s", status, body)
	}
	status, _, body = rawCall(t, "POST", s.URL, "us-west-2", "rds", form, "Action=CreateDBInstance&DBInstanceIdentifier=x&Engine=postgres&DBInstanceClass=c&AllocatedStorage=ten")
	if status != 400 || !strings.Contains(body, "<Code>InvalidParameterValue</Code>") {
		t.Errorf("bad integer: %d %s", status, body)
	}
	status, _, body = rawCall(t, "POST", s.URL, "us-west-2", "rds", form, "Action=Frobnicate&Version=2014-10-31")
	if status != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") {
		t.Errorf("unknown action: %d %s", status, body)
	}
	status, _, body = rawCall(t, "POST", s.URL, "us-west-2", "rds", form, "Version=2014-10-31")
	if status != 400 || !strings.Contains(body, "<Code>MissingAction</Code>") {
		t.Errorf("missing action: %d %s", status, body)
	}
	status, _, body = rawCall(t, "POST", s.URL, "us-west-2", "rds", form, "Action=%zz")
	if status != 404 || !strings.Contains(body, "<Code>MalformedQueryString</Code>") {
		t.Errorf("malformed form: %d %s", status, body)
	}
}

func TestRESTJSONProtocol(t *testing.T) {
	s := startServer(t, auth.Permissive)
	ctx := context.Background()
	client := backup.NewFromConfig(xtest.DefaultConfig(s.URL, "us-east-1"))

	out, err := client.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{
		BackupVaultName: aws.String("my-vault"), BackupVaultTags: map[string]string{"k": "v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *out.BackupVaultName != "my-vault" || !out.CreationDate.Equal(created) || !strings.HasSuffix(*out.BackupVaultArn, ":my-vault:v") {
		t.Errorf("CreateBackupVault = %+v", out)
	}
	_, err = client.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String("exists")})
	var exists *backuptypes.AlreadyExistsException
	if !errors.As(err, &exists) || exists.ErrorMessage() != "Backup vault with the same name already exists" {
		t.Errorf("already exists: %v", err)
	}

	after := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	jobs, err := client.ListBackupJobs(ctx, &backup.ListBackupJobsInput{
		ByState: backuptypes.BackupJobStateCompleted, ByBackupVaultName: aws.String("v-1_x"), ByCreatedAfter: &after, MaxResults: aws.Int32(7),
		ByResourceArn: aws.String("arn:aws:rds:us-east-1:123456789012:db:a b/c&d=e"),
	})
	if err != nil {
		t.Fatal(err)
	}
	j := jobs.BackupJobs[0]
	if *j.BackupJobId != "COMPLETED" || *j.BackupVaultName != "v-1_x" || !j.CreationDate.Equal(after) || *j.BackupSizeInBytes != 7 ||
		*j.ResourceArn != "arn:aws:rds:us-east-1:123456789012:db:a b/c&d=e" {
		t.Errorf("query string decoded as %+v", j)
	}

	// Recovery point ARNs travel escaped in one path segment.
	rpArn := "arn:aws:ec2:us-east-1::snapshot/snap-0123"
	rp, err := client.DescribeRecoveryPoint(ctx, &backup.DescribeRecoveryPointInput{BackupVaultName: aws.String("my-vault"), RecoveryPointArn: aws.String(rpArn)})
	if err != nil {
		t.Fatal(err)
	}
	if *rp.RecoveryPointArn != rpArn || *rp.BackupVaultName != "my-vault" {
		t.Errorf("path labels decoded as %s %s", *rp.RecoveryPointArn, *rp.BackupVaultName)
	}

	_, err = client.DeleteBackupVault(ctx, &backup.DeleteBackupVaultInput{BackupVaultName: aws.String("gone")})
	var nf *backuptypes.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Backup vault gone does not exist" || *nf.Code != "ResourceNotFoundException" {
		t.Errorf("not found: %v", err)
	}

	_, err = client.ListBackupVaults(ctx, &backup.ListBackupVaultsInput{})
	if ae := apiError(t, err); ae.ErrorCode() != "UnknownOperationException" || !strings.Contains(ae.ErrorMessage(), "backup:ListBackupVaults") {
		t.Errorf("unimplemented: %v", err)
	}
	status, _, body := rawCall(t, "PUT", s.URL+"/backup-vaults/x", "us-east-1", "backup", map[string]string{"Content-Type": "application/json"}, `{"BackupVaultTags":`)
	if status != 400 || !strings.Contains(body, "SerializationException") {
		t.Errorf("malformed body: %d %s", status, body)
	}
	status, hdr, body := rawCall(t, "GET", s.URL+"/no/such/path", "us-east-1", "backup", nil, "")
	if status != 404 || hdr.Get("X-Amzn-Errortype") != "UnknownOperationException" {
		t.Errorf("unknown path: %d %s", status, body)
	}
}

func TestAccountsAndRegions(t *testing.T) {
	s := startServer(t, auth.Permissive)
	ctx := context.Background()
	id, err := sts.NewFromConfig(xtest.Config(s.URL, "eu-west-3", "210987654321", "x")).GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *id.Account != "210987654321" || *id.Arn != "arn:aws:iam::210987654321:root" {
		t.Errorf("12-digit access key: %s %s", *id.Account, *id.Arn)
	}
	id, err = sts.NewFromConfig(xtest.DefaultConfig(s.URL, "us-east-1")).GetCallerIdentity(ctx, nil)
	if err != nil || *id.Account != xtest.Account {
		t.Errorf("default account: %v %v", id, err)
	}

	_, err = sts.NewFromConfig(xtest.DefaultConfig(s.URL, "mars-north-1")).GetCallerIdentity(ctx, nil)
	if ae := apiError(t, err); ae.ErrorCode() != "InvalidRegion" || !strings.Contains(ae.ErrorMessage(), "mars-north-1") {
		t.Errorf("unknown Region: %v", err)
	}

	cn := secretsmanager.NewFromConfig(xtest.DefaultConfig(s.URL, "cn-north-1"))
	out, err := cn.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s")})
	if err != nil || !strings.HasPrefix(*out.ARN, "arn:aws-cn:secretsmanager:cn-north-1:") {
		t.Errorf("China partition ARN: %v %v", out, err)
	}
}

func TestUnsignedRequests(t *testing.T) {
	s := startServer(t, auth.Permissive)
	resp, err := http.Post(s.URL, "application/x-www-form-urlencoded",
		strings.NewReader("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=session&WebIdentityToken="+strings.Repeat("t", 10)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Audience>us-east-1</Audience>") {
		t.Errorf("unsigned AssumeRoleWithWebIdentity: %d %s", resp.StatusCode, body)
	}

	resp, err = http.Post(s.URL, "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("unsigned GetCallerIdentity: %d %s", resp.StatusCode, body)
	}

	req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "secretsmanager.ListSecrets")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 4 || !strings.Contains(string(body), "MissingAuthenticationToken") {
		t.Errorf("unsigned JSON call: %d %s", resp.StatusCode, body)
	}
}

func TestStrictAuth(t *testing.T) {
	s := startServer(t, auth.Strict, auth.Identity{AccessKeyID: "AKIDSTRICT", SecretKey: "right-secret", Account: "111122223333"})
	ctx := context.Background()

	id, err := sts.NewFromConfig(xtest.Config(s.URL, "us-east-1", "AKIDSTRICT", "right-secret")).GetCallerIdentity(ctx, nil)
	if err != nil || *id.Account != "111122223333" {
		t.Fatalf("valid signature: %v %v", id, err)
	}
	sm := secretsmanager.NewFromConfig(xtest.Config(s.URL, "us-east-1", "AKIDSTRICT", "right-secret"))
	if _, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("plain")}); err != nil {
		t.Fatalf("valid JSON signature: %v", err)
	}

	cases := []struct {
		name, key, secret, wantQuery, wantJSON string
	}{
		{"wrong secret", "AKIDSTRICT", "wrong-secret", "SignatureDoesNotMatch", "InvalidSignatureException"},
		{"unknown key", "AKIDUNKNOWN", "x", "InvalidClientTokenId", "UnrecognizedClientException"},
	}
	for _, tc := range cases {
		_, err := sts.NewFromConfig(xtest.Config(s.URL, "us-east-1", tc.key, tc.secret)).GetCallerIdentity(ctx, nil)
		if ae := apiError(t, err); ae.ErrorCode() != tc.wantQuery || httpStatus(err) != 403 {
			t.Errorf("%s (query): %d %s", tc.name, httpStatus(err), ae.ErrorCode())
		}
		_, err = secretsmanager.NewFromConfig(xtest.Config(s.URL, "us-east-1", tc.key, tc.secret)).
			GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("plain")})
		if ae := apiError(t, err); ae.ErrorCode() != tc.wantJSON {
			t.Errorf("%s (json): %d %s", tc.name, httpStatus(err), ae.ErrorCode())
		}
	}

	creds := aws.Credentials{AccessKeyID: "AKIDSTRICT", SecretAccessKey: "right-secret"}
	const form = "Action=GetCallerIdentity&Version=2011-06-15"

	// Outside S3, AWS hashes the payload itself: a request signed over UNSIGNED-PAYLOAD
	// could otherwise be replayed with another body of the same length.
	for _, body := range []string{form, strings.Replace(form, "GetCallerIdentity", "GetSessionTokens", 1)} {
		req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>SignatureDoesNotMatch</Code>") {
			t.Errorf("UNSIGNED-PAYLOAD with a body: %d %s", resp.StatusCode, b)
		}
	}

	// A clock 20 minutes off is refused as AWS refuses it.
	req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, fmt.Sprintf("%x", sha256sum(form)), "sts", "us-east-1", time.Now().Add(-20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "Signature expired") {
		t.Errorf("skewed request: %d %s", resp.StatusCode, body)
	}

	// Presigned URLs are verified too.
	preq, _ := http.NewRequest(http.MethodGet, s.URL+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	url, _, err := v4.NewSigner().PresignHTTP(ctx, creds, preq, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sts", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Account>111122223333</Account>") {
		t.Errorf("presigned GetCallerIdentity: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(strings.Replace(url, "Version=2011-06-15", "Version=2011-06-16", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("tampered presigned URL: %d", resp.StatusCode)
	}
}

// TestFullDiskIsServiceUnavailable: a store without room answers a retryable 503, not an
// InternalFailure.
func TestFullDiskIsServiceUnavailable(t *testing.T) {
	s := startServer(t, auth.Permissive)
	sm := secretsmanager.NewFromConfig(xtest.DefaultConfig(s.URL, "us-east-1"))
	_, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("full-disk")})
	if ae := apiError(t, err); ae.ErrorCode() != "ServiceUnavailable" || httpStatus(err) != 503 {
		t.Errorf("full disk: %d %s", httpStatus(err), ae.ErrorCode())
	}
}

// ec2Call calls EC2's DescribeRegions in us-east-1 signed with key and secret at a time,
// and returns the status and body: the repository has no EC2 SDK client.
func ec2Call(t *testing.T, url, key, secret string, at time.Time) (int, string) {
	t.Helper()
	const form = "Action=DescribeRegions&Version=2016-11-15"
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, fmt.Sprintf("%x", sha256sum(form)), "ec2", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestEC2AuthErrors: EC2 answers the credentials it cannot validate with AuthFailure 401
// and a request signed too long ago with RequestExpired 400, in its own error shape,
// where the query services answer SignatureDoesNotMatch and InvalidClientTokenId.
func TestEC2AuthErrors(t *testing.T) {
	s := startServer(t, auth.Strict, auth.Identity{AccessKeyID: "AKIDSTRICT", SecretKey: "right-secret", Account: "111122223333"})
	call := func(key, secret string, at time.Time) (int, string) {
		t.Helper()
		return ec2Call(t, s.URL, key, secret, at)
	}
	if status, body := call("AKIDSTRICT", "right-secret", time.Now()); status != 200 || !strings.Contains(body, "<regionName>us-east-1</regionName>") {
		t.Fatalf("a valid signature: %d %s", status, body)
	}
	const authFailure = "<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message></Error></Errors><RequestID>"
	for name, key := range map[string][2]string{"wrong secret": {"AKIDSTRICT", "wrong-secret"}, "unknown key": {"AKIDUNKNOWN", "x"}} {
		if status, body := call(key[0], key[1], time.Now()); status != 401 || !strings.Contains(body, authFailure) {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	if status, body := call("AKIDSTRICT", "right-secret", time.Now().Add(-20*time.Minute)); status != 400 ||
		!strings.Contains(body, "<Code>RequestExpired</Code><Message>Request has expired.</Message>") {
		t.Errorf("a request signed 20 minutes ago: %d %s", status, body)
	}
}
