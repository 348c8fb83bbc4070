package dynamodb

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/kit/kittest"
	"github.com/xregion/xregion/internal/service/port"
)

// The port.Protected of DynamoDB, called as AWS Backup calls it, on a table of three
// items: a backup, the same backup again, a copy into us-west-2 under that Region's
// vault key, a restore there, and deletions.
func TestProtectedDynamoDB(t *testing.T) {
	keys := kittest.NewKeyRing()
	h := kittest.Start(t, []string{"dynamodb"}, kittest.WithPorts(func(p *service.Ports) { service.Provide[port.KeyRing](p, keys) }))
	s := h.Service("dynamodb").(*Service)
	p := protector{s}
	acct := h.Account
	kittest.Must[*ddb.CreateTableOutput](t)(kittest.Call(h, "us-east-1", ddb.OpCreateTable, &ddb.CreateTableInput{
		TableName: new("orders"), BillingMode: new(ddb.BillingModePayPerRequest),
		AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: new("pk"), AttributeType: new("S")}},
		KeySchema:            []ddb.KeySchemaElement{{AttributeName: new("pk"), KeyType: new(ddb.KeyTypeHash)}},
		Tags:                 []ddb.Tag{{Key: new("backup"), Value: new("daily")}},
	}))
	h.Advance(time.Second)
	putItem := func(region, table, pk string) {
		t.Helper()
		kittest.Must[*ddb.PutItemOutput](t)(kittest.Call(h, region, ddb.OpPutItem, &ddb.PutItemInput{
			TableName: new(table), Item: map[string]ddb.AttributeValue{"pk": {S: new(pk)}}}))
	}
	for _, pk := range []string{"a", "b", "c"} {
		putItem("us-east-1", "orders", pk)
	}
	write := func(fn func(tx kit.Tx) error) error {
		_, err := kit.Write(s.Kit, func(tx kit.Tx) (struct{}, error) { return struct{}{}, fn(tx) })
		return err
	}

	var res []port.Resource
	must(t, write(func(tx kit.Tx) (err error) { res, err = p.Resources(tx, acct, "us-east-1"); return }))
	tableARN := "arn:aws:dynamodb:us-east-1:" + acct + ":table/orders"
	if len(res) != 1 || res[0].ARN != tableARN || res[0].Tags["backup"] != "daily" {
		t.Fatalf("Resources = %+v", res)
	}

	backup := func(id string, base port.BlockSet) port.Transfer {
		t.Helper()
		var tr port.Transfer
		must(t, write(func(tx kit.Tx) (err error) {
			tr, err = p.Backup(tx, port.BackupRequest{Account: acct, Region: "us-east-1", ResourceARN: tableARN, BackupID: id, Base: base})
			return
		}))
		return tr
	}
	first := backup("awsbackup:job-1", nil)
	img := first.Image
	again := backup("awsbackup:job-1", nil)
	if !strings.HasPrefix(img.ARN, tableARN+"/backup/") || again.Image.ARN != img.ARN || img.ResourceARN != tableARN || !img.Encrypted {
		t.Fatalf("Backup = %+v, again %+v", img, again)
	}
	if first.Bytes == 0 || first.Bytes != img.Content.Size {
		t.Errorf("a first backup moved %d bytes of %d", first.Bytes, img.Content.Size)
	}
	// Incremental: with the first backup held, an unchanged table moves nothing.
	if tr := backup("awsbackup:job-unchanged", port.SetOf(img.Content)); tr.Bytes != 0 {
		t.Errorf("an unchanged table moved %d bytes", tr.Bytes)
	}
	putItem("us-east-1", "orders", "after") // not in the backup
	if tr := backup("awsbackup:job-changed", port.SetOf(img.Content)); tr.Bytes == 0 {
		t.Error("a changed table moved nothing")
	}

	list := kittest.Must[*ddb.ListBackupsOutput](t)(kittest.Call(h, "us-east-1", ddb.OpListBackups, &ddb.ListBackupsInput{BackupType: new(ddb.BackupTypeFilterAwsBackup)}))
	if len(list.BackupSummaries) != 3 || *list.BackupSummaries[0].BackupStatus != ddb.BackupStatusAvailable {
		t.Errorf("ListBackups(AWS_BACKUP) = %+v", list.BackupSummaries)
	}

	vaultKey := keys.AddKey(acct, "us-west-2")
	var ctr port.Transfer
	must(t, write(func(tx kit.Tx) (err error) {
		ctr, err = p.Copy(tx, port.CopyRequest{Account: acct, Region: "us-west-2", ImageARN: img.ARN, CopyID: "awsbackup:copyjob-1", KeyARN: vaultKey})
		return
	}))
	cp := ctr.Image
	if ctr.Bytes != first.Bytes || !slices.Equal(cp.Content.Digests, img.Content.Digests) {
		t.Errorf("the copy moved %d bytes, its content %v of %v", ctr.Bytes, cp.Content, img.Content)
	}
	if !strings.HasPrefix(cp.ARN, "arn:aws:dynamodb:us-west-2:"+acct+":table/orders/backup/") || cp.KmsKeyARN != vaultKey {
		t.Fatalf("Copy = %+v", cp)
	}

	var restored string
	must(t, write(func(tx kit.Tx) (err error) {
		restored, err = p.Restore(tx, acct, "us-west-2", cp.ARN, map[string]string{"targetTableName": "orders-copy"})
		return
	}))
	if restored != "arn:aws:dynamodb:us-west-2:"+acct+":table/orders-copy" {
		t.Errorf("Restore = %s", restored)
	}
	h.Advance(time.Second)
	scan := kittest.Must[*ddb.ScanOutput](t)(kittest.Call(h, "us-west-2", ddb.OpScan, &ddb.ScanInput{TableName: new("orders-copy")}))
	if *scan.Count != 3 {
		t.Errorf("the restored copy holds %d items: %v", *scan.Count, scan.Items)
	}

	err := write(func(tx kit.Tx) error {
		_, err := p.Restore(tx, acct, "us-west-2", cp.ARN, map[string]string{})
		return err
	})
	if msg, ok := port.Failure(err); !ok || !strings.Contains(msg, "targetTableName") {
		t.Errorf("Restore without a target: %v", err)
	}
	err = write(func(tx kit.Tx) error {
		_, err := p.Backup(tx, port.BackupRequest{Account: acct, Region: "us-east-1", ResourceARN: "arn:aws:dynamodb:us-east-1:" + acct + ":table/missing", BackupID: "awsbackup:job-2"})
		return err
	})
	if !errors.Is(err, port.ErrCannotProtect) {
		t.Errorf("Backup of a missing table: %v", err)
	}

	must(t, write(func(tx kit.Tx) error { return p.Delete(tx, acct, "us-west-2", cp.ARN) }))
	must(t, write(func(tx kit.Tx) error { return p.Delete(tx, acct, "us-west-2", cp.ARN) })) // gone already
	_, err = kittest.Call(h, "us-west-2", ddb.OpDescribeBackup, &ddb.DescribeBackupInput{BackupArn: new(cp.ARN)})
	if err == nil || !strings.Contains(err.Error(), "Backup not found") {
		t.Errorf("DescribeBackup of a deleted image: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
