package dynamodb_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/xregion/xregion/internal/xtest"
)

// scanAll reads every item of a table, by its pk.
func scanAll(t testing.TB, c *dynamodb.Client, table string) map[string]map[string]types.AttributeValue {
	t.Helper()
	out := map[string]map[string]types.AttributeValue{}
	in := &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)}
	for {
		page := xtest.Must[*dynamodb.ScanOutput](t)(c.Scan(ctx, in))
		for _, it := range page.Items {
			out[str(it, "pk")] = it
		}
		if page.LastEvaluatedKey == nil {
			return out
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

func TestBackupAndRestore(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "inventory", false)
	put(t, e.East, "inventory", item("pk", s("a"), "qty", n("1")))
	put(t, e.East, "inventory", item("pk", s("b"), "qty", n("2")))
	bk := xtest.Must[*dynamodb.CreateBackupOutput](t)(e.East.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String("inventory"), BackupName: aws.String("nightly")}))
	arn := *bk.BackupDetails.BackupArn
	if !strings.HasPrefix(arn, "arn:aws:dynamodb:us-east-1:"+account+":table/inventory/backup/") {
		t.Errorf("BackupArn = %s", arn)
	}
	// Later writes are not in the backup.
	put(t, e.East, "inventory", item("pk", s("a"), "qty", n("100")))
	put(t, e.East, "inventory", item("pk", s("c"), "qty", n("3")))

	xtest.CheckFor(t, 10*time.Second, func() error {
		d := xtest.Must[*dynamodb.DescribeBackupOutput](t)(e.East.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn)}))
		if d.BackupDescription.BackupDetails.BackupStatus != types.BackupStatusAvailable {
			return fmt.Errorf("backup is %s", d.BackupDescription.BackupDetails.BackupStatus)
		}
		if *d.BackupDescription.SourceTableDetails.ItemCount != 2 {
			t.Errorf("backup ItemCount = %d", *d.BackupDescription.SourceTableDetails.ItemCount)
		}
		return nil
	})
	list := xtest.Must[*dynamodb.ListBackupsOutput](t)(e.East.ListBackups(ctx, &dynamodb.ListBackupsInput{TableName: aws.String("inventory")}))
	if len(list.BackupSummaries) != 1 || *list.BackupSummaries[0].BackupName != "nightly" {
		t.Errorf("ListBackups = %+v", list.BackupSummaries)
	}

	r := xtest.Must[*dynamodb.RestoreTableFromBackupOutput](t)(e.East.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{
		BackupArn: aws.String(arn), TargetTableName: aws.String("inventory-restored")}))
	if r.TableDescription.RestoreSummary == nil || *r.TableDescription.RestoreSummary.SourceBackupArn != arn {
		t.Errorf("RestoreSummary = %+v", r.TableDescription.RestoreSummary)
	}
	waitActive(t, e.East, "inventory-restored")
	got := scanAll(t, e.East, "inventory-restored")
	if len(got) != 2 || num(got["a"], "qty") != "1" || num(got["b"], "qty") != "2" {
		t.Errorf("restored items = %v", got)
	}

	_, err := e.East.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{BackupArn: aws.String(arn), TargetTableName: aws.String("inventory")})
	xtest.WantClientError(t, err, "TableAlreadyExistsException", "Table already exists: inventory")

	// The backup outlives its table, and goes when deleted.
	xtest.Must[*dynamodb.DeleteTableOutput](t)(e.East.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("inventory")}))
	e.WaitIdle()
	xtest.Must[*dynamodb.DescribeBackupOutput](t)(e.East.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn)}))
	del := xtest.Must[*dynamodb.DeleteBackupOutput](t)(e.East.DeleteBackup(ctx, &dynamodb.DeleteBackupInput{BackupArn: aws.String(arn)}))
	if del.BackupDescription.BackupDetails.BackupStatus != types.BackupStatusDeleted {
		t.Errorf("DeleteBackup = %s", del.BackupDescription.BackupDetails.BackupStatus)
	}
	_, err = e.East.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn)})
	xtest.WantClientError(t, err, "BackupNotFoundException", "Backup not found: "+arn)
}

func TestPointInTimeRecovery(t *testing.T) {
	e := start(t)
	createTable(t, e.East, "ledger", false)
	put(t, e.East, "ledger", item("pk", s("before"), "v", n("0")))
	_, err := e.East.RestoreTableToPointInTime(ctx, &dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("ledger"),
		TargetTableName: aws.String("ledger-r0"), UseLatestRestorableTime: aws.Bool(true)})
	xtest.WantClientError(t, err, "PointInTimeRecoveryUnavailableException", "Point in time recovery is not enabled for table 'ledger'")

	up := xtest.Must[*dynamodb.UpdateContinuousBackupsOutput](t)(e.East.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
		TableName: aws.String("ledger"), PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}))
	pd := up.ContinuousBackupsDescription.PointInTimeRecoveryDescription
	if pd.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled || *pd.RecoveryPeriodInDays != 35 {
		t.Fatalf("UpdateContinuousBackups = %+v", pd)
	}
	enabled := *pd.EarliestRestorableDateTime

	e.Advance(time.Hour)
	for i := range 3 {
		put(t, e.East, "ledger", item("pk", s(fmt.Sprintf("first%d", i)), "v", n("1")))
	}
	put(t, e.East, "ledger", item("pk", s("before"), "v", n("1")))
	e.Advance(time.Hour)
	between := e.Server.Engine().Clock().Now()
	e.Advance(time.Hour)
	for i := range 3 {
		put(t, e.East, "ledger", item("pk", s(fmt.Sprintf("second%d", i)), "v", n("2")))
	}
	xtest.Must[*dynamodb.DeleteItemOutput](t)(e.East.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("ledger"), Key: item("pk", s("first0"))}))

	restore := func(target string, at time.Time) map[string]map[string]types.AttributeValue {
		t.Helper()
		xtest.Must[*dynamodb.RestoreTableToPointInTimeOutput](t)(e.East.RestoreTableToPointInTime(ctx, &dynamodb.RestoreTableToPointInTimeInput{
			SourceTableName: aws.String("ledger"), TargetTableName: aws.String(target), RestoreDateTime: aws.Time(at)}))
		waitActive(t, e.East, target)
		return scanAll(t, e.East, target)
	}
	got := restore("ledger-between", between)
	if len(got) != 4 || got["first0"] == nil || got["second0"] != nil || num(got["before"], "v") != "1" {
		t.Errorf("restore between the batches = %v", got)
	}
	got = restore("ledger-start", enabled)
	if len(got) != 1 || num(got["before"], "v") != "0" {
		t.Errorf("restore to the start of the window = %v", got)
	}
	xtest.Must[*dynamodb.RestoreTableToPointInTimeOutput](t)(e.East.RestoreTableToPointInTime(ctx, &dynamodb.RestoreTableToPointInTimeInput{
		SourceTableName: aws.String("ledger"), TargetTableName: aws.String("ledger-latest"), UseLatestRestorableTime: aws.Bool(true)}))
	waitActive(t, e.East, "ledger-latest")
	if got := scanAll(t, e.East, "ledger-latest"); len(got) != 6 || got["first0"] != nil {
		t.Errorf("restore to the latest time = %v", got)
	}

	// The window is 35 days on the clock: after 40, the earliest time has moved, the
	// items as the window opens are still there, and earlier times are refused.
	e.Advance(40 * 24 * time.Hour)
	d := xtest.Must[*dynamodb.DescribeContinuousBackupsOutput](t)(e.East.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("ledger")}))
	earliest := *d.ContinuousBackupsDescription.PointInTimeRecoveryDescription.EarliestRestorableDateTime
	if now := e.Server.Engine().Clock().Now(); now.Add(-35*24*time.Hour).Sub(earliest).Abs() > time.Minute {
		t.Errorf("EarliestRestorableDateTime = %v, now %v", earliest, now)
	}
	_, err = e.East.RestoreTableToPointInTime(ctx, &dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("ledger"),
		TargetTableName: aws.String("ledger-old"), RestoreDateTime: aws.Time(between)})
	xtest.WantClientError(t, err, "InvalidRestoreTimeException", "")
	// (The clock runs on while the test does: a second into the window.)
	if got := restore("ledger-window", earliest.Add(time.Second)); len(got) != 6 || got["first0"] != nil {
		t.Errorf("restore to the start of the pruned window = %v", got)
	}
}
