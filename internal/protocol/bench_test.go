package protocol_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/protocol/awsjson"
	"github.com/xregion/xregion/internal/protocol/query"
	"github.com/xregion/xregion/internal/protocol/restjson"
)

// Codec micro-benchmarks: the decode and encode cost of typical requests and answers of
// each protocol. Figures are in bench/README.md.

func BenchmarkJSONDecodeCreateSecret(b *testing.B) {
	c := awsjson.New(secretsmanagerapi.Model())
	body := []byte(`{"Name":"MyTestSecret","ClientRequestToken":"00000000-0000-4000-8000-000000000000","SecretString":"{\"user\":\"admin\",\"password\":\"EXAMPLE\"}",` +
		`"Tags":[{"Key":"team","Value":"dr"},{"Key":"env","Value":"ci"}],"AddReplicaRegions":[{"Region":"eu-west-3"},{"Region":"us-west-2","KmsKeyId":"alias/x"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
		if _, _, err := c.Decode(r, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONEncodeDescribeSecret(b *testing.B) {
	api := secretsmanagerapi.Model()
	c := awsjson.New(api)
	op := api.Operations["DescribeSecret"]
	now := time.Now()
	s := func(v string) *string { return &v }
	out := &secretsmanagerapi.DescribeSecretResponse{
		ARN: s("arn:aws:secretsmanager:us-east-1:123456789012:secret:MyTestSecret-AbCdEf"), Name: s("MyTestSecret"),
		CreatedDate: &now, LastChangedDate: &now, Tags: []secretsmanagerapi.Tag{{Key: s("team"), Value: s("dr")}},
		VersionIdsToStages: map[string][]string{"00000000-0000-4000-8000-000000000000": {"AWSCURRENT"}},
		ReplicationStatus: []secretsmanagerapi.ReplicationStatusType{
			{Region: s("eu-west-3"), KmsKeyId: s("alias/aws/secretsmanager"), Status: s("InSync"), StatusMessage: s("Replication succeeded")},
		},
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Encode(httptest.NewRecorder(), op, out, "id")
	}
}

func BenchmarkQueryDecodeCreateDBInstance(b *testing.B) {
	c := query.New(rdsapi.Model())
	form := "Action=CreateDBInstance&Version=2014-10-31&DBInstanceIdentifier=mydb&DBInstanceClass=db.t3.micro&Engine=postgres" +
		"&EngineVersion=13.4&AllocatedStorage=10&BackupRetentionPeriod=7&DBName=mydb&MasterUsername=masterusername" +
		"&MasterUserPassword=mustbeeightcharacters&StorageEncrypted=true&Tags.Tag.1.Key=team&Tags.Tag.1.Value=dr" +
		"&VpcSecurityGroupIds.VpcSecurityGroupId.1=sg-1&VpcSecurityGroupIds.VpcSecurityGroupId.2=sg-2"
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if _, _, err := c.Decode(r, []byte(form)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQueryEncodeDescribeDBInstances(b *testing.B) {
	api := rdsapi.Model()
	c := query.New(api)
	op := api.Operations["DescribeDBInstances"]
	now := time.Now()
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	t := true
	db := rdsapi.DBInstance{
		DBInstanceIdentifier: s("mydb"), DBInstanceClass: s("db.t3.micro"), Engine: s("postgres"), EngineVersion: s("13.4"),
		DBInstanceStatus: s("available"), AllocatedStorage: n(10), InstanceCreateTime: &now, StorageEncrypted: &t,
		Endpoint:      &rdsapi.Endpoint{Address: s("mydb.abc.us-east-1.rds.amazonaws.com"), Port: n(5432)},
		DbiResourceId: s("db-ABCDEFGHIJKLMNOPQRSTUVWXYZ"), DBInstanceArn: s("arn:aws:rds:us-east-1:123456789012:db:mydb"),
		TagList: []rdsapi.Tag{{Key: s("team"), Value: s("dr")}},
	}
	out := &rdsapi.DBInstanceMessage{DBInstances: []rdsapi.DBInstance{db, db}}
	b.ReportAllocs()
	for b.Loop() {
		c.Encode(httptest.NewRecorder(), op, out, "id")
	}
}

func BenchmarkRESTJSONDecodeListBackupJobs(b *testing.B) {
	c := restjson.New(backupapi.Model())
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, "/backup-jobs/?state=COMPLETED&backupVaultName=vault&maxResults=50&createdAfter=2024-01-01T00%3A00%3A00Z", nil)
		if _, _, err := c.Decode(r, nil); err != nil {
			b.Fatal(err)
		}
	}
}
