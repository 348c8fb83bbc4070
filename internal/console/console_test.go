package console_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/xregion/xregion/internal/faults"
	"github.com/xregion/xregion/internal/server"
	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

const prefix = "/_xregion/console/"

// visitor is a browser's part in a test: a cookie jar, and the Origin a browser sends
// with the console's own forms.
type visitor struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newVisitor(t *testing.T, inst *servertest.Instance) *visitor {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &visitor{t: t, base: inst.URL, client: &http.Client{Jar: jar}}
}

// get fetches a page and returns its status and body.
func (v *visitor) get(path string) (int, string) {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodGet, v.base+path, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	return v.do(req)
}

func (v *visitor) do(req *http.Request) (int, string) {
	v.t.Helper()
	resp, err := v.client.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token of the visitor's session, read from a page as a browser has it.
func (v *visitor) csrf() string {
	v.t.Helper()
	_, body := v.get(prefix + "backup/vaults")
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		v.t.Fatalf("no CSRF token on the page:\n%s", body)
	}
	return m[1]
}

// post submits a form as the console's page would (same Origin), with the given headers
// changed.
func (v *visitor) post(path string, form url.Values, headers ...string) (int, string) {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodPost, v.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", v.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return v.do(req)
}

// createInstance makes an available RDS DB instance in us-east-1 and returns its ARN.
func createInstance(t *testing.T, inst *servertest.Instance, id string) string {
	t.Helper()
	created, err := rds.NewFromConfig(inst.Config("us-east-1")).CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin1"), MasterUserPassword: aws.String("secretpass1"),
		BackupRetentionPeriod: aws.Int32(7),
	})
	if err != nil {
		t.Fatal(err)
	}
	inst.WaitIdle()
	return aws.ToString(created.DBInstance.DBInstanceArn)
}

func wantIn(t *testing.T, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("the page lacks %q", p)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", body)
	}
}

func vaultNames(t *testing.T, inst *servertest.Instance, region string) []string {
	t.Helper()
	out, err := backup.NewFromConfig(inst.Config(region)).ListBackupVaults(context.Background(), &backup.ListBackupVaultsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range out.BackupVaultList {
		names = append(names, aws.ToString(v.BackupVaultName))
	}
	return names
}

func TestPagesRenderInTheAWSConsolesWords(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	pages := map[string][]string{
		"":                         {"Cross-Region overview", `<label for="region">Region</label>`, "Take Region down", "Advance clock"},
		"backup/vaults":            {"<h1>Backup vaults</h1>", `<label for="vault-name">Backup vault name</label>`, "Create Backup vault"},
		"backup/plans":             {"<h1>Backup plans</h1>", "Create Backup plan"},
		"backup/plans/new":         {"Build a new plan", "Backup plan name", "Rule name", "Frequency", "Use backup window defaults (recommended)", "Generate copy", "Destination Region", "Destination Backup Vault", "Create new Backup vault", "Create plan", "Transition to cold storage", "Expire"},
		"backup/jobs":              {`role="tab"`, "Backup jobs", "Copy jobs", "Restore jobs", "Create on-demand backup"},
		"backup/jobs?tab=copy":     {`aria-label="Copy jobs"`},
		"backup/jobs?tab=restore":  {`aria-label="Restore jobs"`},
		"secrets":                  {"<h1>Secrets</h1>"},
		"rds/clusters":             {"<h1>DB clusters</h1>", "No DB clusters in us-east-1.", "Automated backups", "DB cluster snapshots"},
		"rds/global-databases":     {"<h1>Global databases</h1>", "No global databases."},
		"efs":                      {"<h1>File systems</h1>", "No file systems in us-east-1.", ">Aurora</a>", ">EFS</a>"},
		"assets/htmx.min.js":       {"htmx"},
		"assets/htmx.LICENSE":      {"Zero-Clause BSD"},
		"backup/vaults?region=bad": {"Backup vaults in us-east-1"},
	}
	for path, parts := range pages {
		status, body := v.get(prefix + path)
		if status != http.StatusOK {
			t.Errorf("GET %s: %d", path, status)
		}
		wantIn(t, body, parts...)
	}
}

func TestTheConsoleIsLinkedFromTheRoot(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	status, body := v.get("/")
	if status != http.StatusOK {
		t.Fatalf("GET / from a browser: %d", status)
	}
	wantIn(t, body, `href="/_xregion/console/"`)
	// A client that is not a browser still gets AWS's answer to an unsigned request.
	resp, err := http.Get(inst.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("GET / without Accept: text/html answered the console's landing page")
	}
}

func TestFormsWithoutTheirTokenAreRefused(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	v.csrf() // the session exists, but the forms below do not carry its token
	for _, token := range []string{"", "forged"} {
		status, _ := v.post(prefix+"backup/vaults", url.Values{"csrf": {token}, "name": {"stolen"}})
		if status != http.StatusForbidden {
			t.Errorf("a form with token %q: %d, want 403", token, status)
		}
	}
	// Another visitor's token is no good either: tokens belong to sessions.
	other := newVisitor(t, inst)
	status, _ := v.post(prefix+"backup/vaults", url.Values{"csrf": {other.csrf()}, "name": {"stolen"}})
	if status != http.StatusForbidden {
		t.Errorf("a form with another session's token: %d, want 403", status)
	}
	if names := vaultNames(t, inst, "us-east-1"); len(names) != 0 {
		t.Errorf("refused forms created vaults: %v", names)
	}
}

func TestOtherOriginsAreRefused(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	token := v.csrf()
	for _, h := range [][]string{
		{"Origin", "http://evil.example"},
		{"Sec-Fetch-Site", "cross-site"},
		{"Origin", "http://localhost:1"},
	} {
		status, _ := v.post(prefix+"backup/vaults", url.Values{"csrf": {token}, "name": {"stolen"}}, h...)
		if status != http.StatusForbidden {
			t.Errorf("a form with %s: %s: %d, want 403", h[0], h[1], status)
		}
	}
	if names := vaultNames(t, inst, "us-east-1"); len(names) != 0 {
		t.Errorf("refused forms created vaults: %v", names)
	}
	status, body := v.post(prefix+"backup/vaults", url.Values{"csrf": {token}, "name": {"mine"}, "region": {"eu-west-1"}})
	if status != http.StatusOK {
		t.Fatalf("the console's own form: %d\n%s", status, body)
	}
	wantIn(t, body, "Backup vault mine created.")
	if names := vaultNames(t, inst, "eu-west-1"); len(names) != 1 || names[0] != "mine" {
		t.Errorf("eu-west-1 vaults: %v", names)
	}
}

func TestTheServicesErrorsAreShown(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	status, body := v.post(prefix+"backup/vaults", url.Values{"csrf": {v.csrf()}, "name": {"not a name"}})
	if status != http.StatusBadRequest {
		t.Errorf("an invalid vault name: %d, want 400", status)
	}
	wantIn(t, body, `role="alert"`, "InvalidParameterValueException", `value="not a name"`)

	status, body = v.post(prefix+"backup/plans", url.Values{"csrf": {v.csrf()}, "name": {"p"}, "rule": {"r"}, "vault": {"v"},
		"frequency": {"Daily"}, "window": {"default"}, "cold": {"30"}, "expire": {"60"}})
	if status != http.StatusBadRequest {
		t.Errorf("a plan breaking the 90-day rule: %d, want 400", status)
	}
	wantIn(t, body, "InvalidParameterValueException", "90", `value="60"`)

	status, body = v.post(prefix+"backup/plans", url.Values{"csrf": {v.csrf()}, "name": {"p"}, "rule": {"r"}, "vault": {"v"},
		"frequency": {"Daily"}, "window": {"custom"}, "start": {"an hour"}})
	if status != http.StatusBadRequest {
		t.Errorf("a Start within that is not a number: %d, want 400", status)
	}
	wantIn(t, body, "Start within must be a whole number of minutes", `id="window-custom" name="window" value="custom" checked`)

	status, body = v.post(prefix+"backup/plans", url.Values{"csrf": {v.csrf()}, "name": {"p"}, "rule": {"r"}, "vault": {"v"},
		"frequency": {"Daily"}, "window": {"custom"}, "start": {"30"}, "complete": {"120"}})
	if status != http.StatusBadRequest {
		t.Errorf("a Start within shorter than AWS Backup's hour: %d, want 400", status)
	}
	wantIn(t, body, "InvalidParameterValueException")

	status, body = v.post(prefix+"xregion/clock", url.Values{"csrf": {v.csrf()}, "advance": {"soon"}})
	if status != http.StatusBadRequest {
		t.Errorf("advancing the clock by %q: %d, want 400", "soon", status)
	}
	wantIn(t, body, "XregionAdminError", "advance")
}

func TestAPlanWithACopyToAnotherRegion(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	status, body := v.post(prefix+"backup/plans", url.Values{"csrf": {v.csrf()}, "name": {"seed"}, "rule": {"daily"},
		"vault": {"prod"}, "frequency": {"Daily"}, "window": {"default"}, "dest": {"us-west-2"}, "destVault": {"dr"}, "expire": {"35"}})
	if status != http.StatusOK {
		t.Fatalf("Create plan: %d\n%s", status, body)
	}
	wantIn(t, body, "Backup plan seed created.", "cron(0 5 ? * * *)", "arn:aws:backup:us-west-2:123456789012:backup-vault:dr",
		"Start within 480 minutes, complete within 10080 minutes", "Expire after 35 days")
	plans, err := backup.NewFromConfig(inst.Config("us-east-1")).ListBackupPlans(context.Background(), &backup.ListBackupPlansInput{})
	if err != nil || len(plans.BackupPlansList) != 1 {
		t.Fatalf("plans: %+v %v", plans, err)
	}
	status, body = v.post(prefix+"backup/plans/"+aws.ToString(plans.BackupPlansList[0].BackupPlanId)+"/delete", url.Values{"csrf": {v.csrf()}})
	if status != http.StatusOK {
		t.Fatalf("Delete: %d\n%s", status, body)
	}
	wantIn(t, body, "Backup plan deleted.", "No backup plans in us-east-1.")
}

func TestTheClockAndFaultControls(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	before := inst.Server.Engine().Clock().Now()
	status, body := v.post(prefix+"xregion/clock", url.Values{"csrf": {v.csrf()}, "advance": {"36h"}})
	if status != http.StatusOK {
		t.Fatalf("Advance clock: %d\n%s", status, body)
	}
	if moved := inst.Server.Engine().Clock().Now().Sub(before); moved.Hours() < 36 {
		t.Errorf("the clock moved %s, want 36h", moved)
	}
	status, body = v.post(prefix+"xregion/faults", url.Values{"csrf": {v.csrf()}, "faultRegion": {"us-west-2"}, "action": {"down"}})
	if status != http.StatusOK {
		t.Fatalf("Take Region down: %d\n%s", status, body)
	}
	wantIn(t, body, "us-west-2 is down.", `<section aria-label="us-west-2">`, "state-down")
	req, _ := http.NewRequest(http.MethodGet, inst.URL+prefix+"?part=regions", nil)
	req.Header.Set("HX-Request", "true")
	if status, body = v.do(req); status != http.StatusOK || strings.Contains(body, "<html") || !strings.Contains(body, "state-down") {
		t.Errorf("the refreshed Regions of the overview: %d\n%s", status, body)
	}
	status, body = v.post(prefix+"xregion/faults", url.Values{"csrf": {v.csrf()}, "faultRegion": {"us-west-2"}, "action": {"up"}})
	if status != http.StatusOK || strings.Contains(body, "state-down") {
		t.Errorf("Bring Region back: %d\n%s", status, body)
	}
}

func TestStagedFaultsAreListedAndCleared(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	stage := func(form url.Values) (int, string) {
		form.Set("csrf", v.csrf())
		form.Set("action", "stage")
		return v.post(prefix+"xregion/faults", form)
	}
	if status, body := stage(url.Values{"faultRegion": {"eu-west-1"}, "kind": {"reset"}, "for": {"30m"}}); status != http.StatusOK {
		t.Fatalf("Stage fault: %d\n%s", status, body)
	}
	status, body := stage(url.Values{"faultRegion": {"us-east-1"}, "service": {"secretsmanager"}, "operation": {"GetSecretValue"}, "kind": {"throttle"}, "throttle": {"25"}})
	if status != http.StatusOK {
		t.Fatalf("Stage fault: %d\n%s", status, body)
	}
	wantIn(t, body, "The fault is staged.", "eu-west-1", "API outage (connections reset)", "us-east-1 · secretsmanager · GetSecretValue", "Throttling 25% of calls", "when cleared")
	// An API outage takes the Region down for cross-Region work: its overview row says so.
	wantIn(t, body, `<section aria-label="eu-west-1">`)
	listed := adminFaults(t, inst)
	if len(listed) != 2 || listed[0].Expires.IsZero() || listed[0].Mode != "reset" || listed[1].ThrottleRate != 0.25 {
		t.Fatalf("the admin API's faults: %+v", listed)
	}

	// Bad input gets the admin API's own refusal and stages nothing.
	status, body = stage(url.Values{"service": {""}, "kind": {"unreachable"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "names a") {
		t.Errorf("a fault without a scope: %d\n%s", status, body)
	}
	if status, _ = stage(url.Values{"faultRegion": {"us-east-1"}, "kind": {"throttle"}, "throttle": {"half"}}); status != http.StatusBadRequest {
		t.Errorf("a throttle that is not a percentage: %d", status)
	}

	// Clear removes only its own scope.
	status, body = v.post(prefix+"xregion/faults", url.Values{"csrf": {v.csrf()}, "action": {"clear"}, "region": {"us-east-1"}, "service": {"secretsmanager"}, "operation": {"GetSecretValue"}})
	if status != http.StatusOK {
		t.Fatalf("Clear: %d\n%s", status, body)
	}
	if listed := adminFaults(t, inst); len(listed) != 1 || listed[0].Region != "eu-west-1" {
		t.Errorf("after Clear: %+v", listed)
	}
}

func TestSecretsReplicatedRemovedAndPromoted(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(inst.Config("us-east-1"))
	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db-password"), SecretString: aws.String("s3cret")})
	if err != nil {
		t.Fatal(err)
	}
	status, body := v.post(prefix+"secrets/replicate", url.Values{"csrf": {v.csrf()}, "secret": {aws.ToString(created.ARN)}, "replicaRegion": {"eu-west-1"}})
	if status != http.StatusOK {
		t.Fatalf("Replicate secret to other Regions: %d\n%s", status, body)
	}
	wantIn(t, body, "Replication status", "eu-west-1", "Remove replica")
	inst.WaitIdle()
	req, _ := http.NewRequest(http.MethodGet, inst.URL+prefix+"secrets/status?secret="+url.QueryEscape(aws.ToString(created.ARN)), nil)
	req.Header.Set("HX-Request", "true")
	status, body = v.do(req)
	if status != http.StatusOK || strings.Contains(body, "<html") {
		t.Fatalf("the refreshed replication table: %d\n%s", status, body)
	}
	wantIn(t, body, `aria-label="Replication status of db-password"`, "InSync", `name="csrf"`)
	_, body = v.get(prefix + "secrets?region=eu-west-1")
	wantIn(t, body, "This secret is a replica of the primary secret in us-east-1", "Promote to standalone secret")
	if strings.Contains(body, "s3cret") {
		t.Errorf("the console shows a secret's value")
	}
	replica := strings.Replace(aws.ToString(created.ARN), "us-east-1", "eu-west-1", 1)
	status, body = v.post(prefix+"secrets/promote", url.Values{"csrf": {v.csrf()}, "secret": {replica}, "region": {"eu-west-1"}})
	if status != http.StatusOK {
		t.Fatalf("Promote to standalone secret: %d\n%s", status, body)
	}
	wantIn(t, body, "The replica is now a standalone secret.", "Replicate secret to other Regions")
	v.post(prefix+"secrets/replicate", url.Values{"csrf": {v.csrf()}, "secret": {aws.ToString(created.ARN)}, "replicaRegion": {"ap-southeast-2"}})
	status, body = v.post(prefix+"secrets/remove-replica", url.Values{"csrf": {v.csrf()}, "secret": {aws.ToString(created.ARN)}, "replicaRegion": {"ap-southeast-2"}})
	if status != http.StatusOK {
		t.Fatalf("Remove replica: %d\n%s", status, body)
	}
	wantIn(t, body, "Replica in ap-southeast-2 removed.")
	described, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: created.ARN})
	if err != nil || len(described.ReplicationStatus) != 0 {
		t.Errorf("after promoting one replica and removing the other, the primary lists %+v (%v)", described, err)
	}
	// A Region the primary cannot replicate to fails with AWS's own error.
	status, body = v.post(prefix+"secrets/replicate", url.Values{"csrf": {v.csrf()}, "secret": {aws.ToString(created.ARN)}, "replicaRegion": {"us-east-1"}})
	if status != http.StatusBadRequest {
		t.Errorf("replicating into the primary's own Region: %d, want 400", status)
	}
	wantIn(t, body, "InvalidParameterException")
}

func TestSignInWithTheAdminToken(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t, func(c *server.Config) { c.AdminToken = "open-sesame" })
	v := newVisitor(t, inst)
	status, body := v.get(prefix + "backup/vaults")
	if status != http.StatusOK || !strings.Contains(body, "Admin token") || strings.Contains(body, `name="csrf"`) {
		t.Fatalf("the console opened without the admin token: %d\n%s", status, body)
	}
	status, _ = v.post(prefix+"signin", url.Values{"token": {"guess"}})
	if status != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d, want 401", status)
	}
	status, _ = v.post(prefix+"backup/vaults", url.Values{"name": {"x"}})
	if status != http.StatusUnauthorized {
		t.Errorf("a form before signing in: %d, want 401", status)
	}
	status, body = v.post(prefix+"signin", url.Values{"token": {"open-sesame"}})
	if status != http.StatusOK || !strings.Contains(body, "Cross-Region overview") {
		t.Fatalf("signing in with the token: %d\n%s", status, body)
	}
	status, body = v.post(prefix+"backup/vaults", url.Values{"csrf": {v.csrf()}, "name": {"after-sign-in"}})
	if status != http.StatusOK {
		t.Fatalf("a form after signing in: %d\n%s", status, body)
	}
	wantIn(t, body, "Sign out")
	status, body = v.post(prefix+"signout", url.Values{"csrf": {v.csrf()}})
	if status != http.StatusOK || !strings.Contains(body, "Admin token") {
		t.Errorf("signing out: %d\n%s", status, body)
	}
}

func TestSignInInStrictModeActsAsTheKey(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t, servertest.WithStrictAuth("AKIACONSOLEEXAMPLE:console-secret:111122223333"))
	v := newVisitor(t, inst)
	_, body := v.get(prefix)
	wantIn(t, body, "Access key ID", "Secret access key")
	status, _ := v.post(prefix+"signin", url.Values{"accessKey": {"AKIACONSOLEEXAMPLE"}, "secretKey": {"wrong"}})
	if status != http.StatusUnauthorized {
		t.Errorf("a wrong secret: %d, want 401", status)
	}
	status, _ = v.post(prefix+"signin", url.Values{"accessKey": {"AKIAUNKNOWN"}, "secretKey": {"console-secret"}})
	if status != http.StatusUnauthorized {
		t.Errorf("an unknown key: %d, want 401", status)
	}
	status, body = v.post(prefix+"signin", url.Values{"accessKey": {"AKIACONSOLEEXAMPLE"}, "secretKey": {"console-secret"}})
	if status != http.StatusOK {
		t.Fatalf("signing in: %d\n%s", status, body)
	}
	wantIn(t, body, "Account 111122223333")
	if status, body = v.post(prefix+"backup/vaults", url.Values{"csrf": {v.csrf()}, "name": {"theirs"}}); status != http.StatusOK {
		t.Fatalf("creating a vault: %d\n%s", status, body)
	}
	client := backup.NewFromConfig(inst.ConfigAs("us-east-1", "AKIACONSOLEEXAMPLE", "console-secret"))
	out, err := client.ListBackupVaults(context.Background(), &backup.ListBackupVaultsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.BackupVaultList) != 1 || !strings.Contains(aws.ToString(out.BackupVaultList[0].BackupVaultArn), ":111122223333:") {
		t.Errorf("the key's account holds %+v, want the vault the console created", out.BackupVaultList)
	}
}

func TestRDSReplicationRestoreAndSnapshots(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	ctx := context.Background()
	arn := createInstance(t, inst, "orders")

	status, body := v.post(prefix+"rds/replication", url.Values{"csrf": {v.csrf()}, "instance": {arn}, "dest": {"us-west-2"}, "retention": {"14"}})
	if status != http.StatusOK {
		t.Fatalf("Enable replication: %d\n%s", status, body)
	}
	wantIn(t, body, "Replication to us-west-2 started.", "Current Region", "orders")
	inst.WaitIdle()
	_, body = v.get(prefix + "rds?tab=backups&region=us-west-2")
	wantIn(t, body, `aria-label="Replicated automated backups"`, "orders", "us-east-1", "14 days", "Stop replication")
	_, body = v.get(prefix)
	wantIn(t, body, "Replicated automated backups", "orders from us-east-1", "behind")
	inst.Advance(10 * time.Minute)
	_, body = v.get(prefix)
	wantIn(t, body, "Replication lag", `aria-label="orders → us-west-2 over time`, "<polyline")

	backups, err := rds.NewFromConfig(inst.Config("us-west-2")).DescribeDBInstanceAutomatedBackups(ctx, &rds.DescribeDBInstanceAutomatedBackupsInput{})
	if err != nil || len(backups.DBInstanceAutomatedBackups) != 1 {
		t.Fatalf("us-west-2's automated backups: %+v %v", backups, err)
	}
	inst.Advance(time.Hour) // a restorable window to restore from
	status, body = v.post(prefix+"rds/restore", url.Values{"csrf": {v.csrf()}, "region": {"us-west-2"}, "when": {"latest"}, "target": {"orders-dr"},
		"source": {"backup:" + aws.ToString(backups.DBInstanceAutomatedBackups[0].DBInstanceAutomatedBackupsArn)}})
	if status != http.StatusOK {
		t.Fatalf("Restore to point in time: %d\n%s", status, body)
	}
	wantIn(t, body, "DB instance orders-dr is being restored.", "orders-dr")

	status, body = v.post(prefix+"rds/restore", url.Values{"csrf": {v.csrf()}, "when": {"custom"}, "time": {"yesterday"}, "target": {"x"}, "source": {"orders"}})
	if status != http.StatusBadRequest {
		t.Errorf("a restore time that is not a time: %d", status)
	}
	wantIn(t, body, "InvalidParameterValue", "Date and time")

	status, body = v.post(prefix+"rds/snapshots", url.Values{"csrf": {v.csrf()}, "instance": {"orders"}, "snapshot": {"before-migration"}})
	if status != http.StatusOK {
		t.Fatalf("Take snapshot: %d\n%s", status, body)
	}
	wantIn(t, body, "Snapshot before-migration is being taken.", "before-migration")
	inst.WaitIdle()
	snapshotARN := strings.Replace(arn, ":db:orders", ":snapshot:before-migration", 1)
	status, body = v.post(prefix+"rds/snapshots/copy", url.Values{"csrf": {v.csrf()}, "source": {snapshotARN}, "dest": {"eu-west-1"}, "target": {"before-migration-eu"}})
	if status != http.StatusOK {
		t.Fatalf("Copy snapshot: %d\n%s", status, body)
	}
	wantIn(t, body, "is being copied to eu-west-1", "before-migration-eu", "us-east-1")

	status, body = v.post(prefix+"rds/replication/stop", url.Values{"csrf": {v.csrf()}, "region": {"us-west-2"}, "source": {arn}})
	if status != http.StatusOK {
		t.Fatalf("Stop replication: %d\n%s", status, body)
	}
	wantIn(t, body, "Replication stopped.")
}

func TestOnDemandBackupRecoveryPointAndRestore(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	ctx := context.Background()
	arn := createInstance(t, inst, "ledger")
	v.post(prefix+"backup/vaults", url.Values{"csrf": {v.csrf()}, "name": {"prod"}})
	v.post(prefix+"backup/vaults", url.Values{"csrf": {v.csrf()}, "name": {"dr"}, "region": {"eu-west-1"}})

	_, body := v.get(prefix + "backup/jobs")
	wantIn(t, body, `<option value="`+arn+`"`, "ledger (RDS)", `<option value="prod"`)
	status, body := v.post(prefix+"backup/jobs", url.Values{"csrf": {v.csrf()}, "tab": {"backup"}, "resource": {arn},
		"vault": {"prod"}, "role": {"default"}})
	if status != http.StatusOK {
		t.Fatalf("Create on-demand backup: %d\n%s", status, body)
	}
	wantIn(t, body, "Backup job started.", `aria-label="Backup jobs"`, "ledger")
	inst.WaitIdle()

	// The jobs table, as htmx asks for it every few seconds: the table alone.
	req, _ := http.NewRequest(http.MethodGet, inst.URL+prefix+"backup/jobs?part=table&tab=backup", nil)
	req.Header.Set("HX-Request", "true")
	status, body = v.do(req)
	if status != http.StatusOK || strings.Contains(body, "<html") || !strings.Contains(body, "COMPLETED") {
		t.Fatalf("the refreshed jobs table: %d\n%s", status, body)
	}

	points, err := backup.NewFromConfig(inst.Config("us-east-1")).ListRecoveryPointsByBackupVault(ctx,
		&backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: aws.String("prod")})
	if err != nil || len(points.RecoveryPoints) != 1 {
		t.Fatalf("prod's recovery points: %+v %v", points, err)
	}
	point := aws.ToString(points.RecoveryPoints[0].RecoveryPointArn)
	query := "vault=prod&arn=" + url.QueryEscape(point)
	_, body = v.get(prefix + "backup/vaults/prod")
	wantIn(t, body, "Recovery points", point, "COMPLETED")
	_, body = v.get(prefix + "backup/recovery-point?" + query)
	wantIn(t, body, point, ">Copy</a>", "Restore backup", "DB instance identifier")

	// The Copy form's "Backup vault" follows the Destination Region (htmx).
	req, _ = http.NewRequest(http.MethodGet, inst.URL+prefix+"backup/vault-options?dest=eu-west-1", nil)
	req.Header.Set("HX-Request", "true")
	if _, body = v.do(req); strings.TrimSpace(body) != `<option value="dr">dr</option>` {
		t.Errorf("eu-west-1's vault options: %q", body)
	}

	status, body = v.post(prefix+"backup/restore", url.Values{"csrf": {v.csrf()}, "vault": {"prod"}, "arn": {point}, "identifier": {"ledger-restored"}, "role": {"default"}})
	if status != http.StatusOK {
		t.Fatalf("Restore backup: %d\n%s", status, body)
	}
	wantIn(t, body, "Restore job", `aria-label="Restore jobs"`)
	inst.WaitIdle()
	if _, err := rds.NewFromConfig(inst.Config("us-east-1")).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{
		DBInstanceIdentifier: aws.String("ledger-restored")}); err != nil {
		t.Errorf("the restore made no DB instance: %v", err)
	}
	// A vault that holds recovery points cannot be deleted; AWS Backup says why.
	status, body = v.post(prefix+"backup/vaults/prod/delete", url.Values{"csrf": {v.csrf()}})
	if status == http.StatusOK {
		t.Errorf("deleting a vault with recovery points: %d", status)
	}
	wantIn(t, body, `role="alert"`, "recovery points")
	status, body = v.post(prefix+"backup/vaults/dr/delete", url.Values{"csrf": {v.csrf()}, "region": {"eu-west-1"}})
	if status != http.StatusOK {
		t.Fatalf("deleting an empty vault: %d\n%s", status, body)
	}
	wantIn(t, body, "Backup vault dr deleted.")
	// A restore without a name is AWS Backup's to refuse.
	status, body = v.post(prefix+"backup/restore", url.Values{"csrf": {v.csrf()}, "vault": {"prod"}, "arn": {point}, "identifier": {""}})
	if status != http.StatusBadRequest {
		t.Errorf("a restore without a DB instance identifier: %d", status)
	}
	wantIn(t, body, `role="alert"`, "DBInstanceIdentifier")
}

func TestAccountChoiceInPermissiveMode(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t, func(c *server.Config) { c.Credentials = "AKIAOTHERACCOUNT:other-secret:210987654321" })
	v := newVisitor(t, inst)
	_, body := v.get(prefix)
	wantIn(t, body, `<label for="account">Account</label>`, `<option value="123456789012" selected>`, `<option value="210987654321"`)
	if status, _ := v.post(prefix+"account", url.Values{"csrf": {v.csrf()}, "account": {"999999999999"}}); status != http.StatusBadRequest {
		t.Errorf("switching to an account nobody configured: %d, want 400", status)
	}
	status, body := v.post(prefix+"account", url.Values{"csrf": {v.csrf()}, "account": {"210987654321"}})
	if status != http.StatusOK {
		t.Fatalf("switching accounts: %d\n%s", status, body)
	}
	wantIn(t, body, "Acting in account 210987654321.", `<option value="210987654321" selected>`)
	v.post(prefix+"backup/vaults", url.Values{"csrf": {v.csrf()}, "name": {"other"}})
	out, err := backup.NewFromConfig(inst.ConfigAs("us-east-1", "AKIAOTHERACCOUNT", "other-secret")).ListBackupVaults(context.Background(), &backup.ListBackupVaultsInput{})
	if err != nil || len(out.BackupVaultList) != 1 || aws.ToString(out.BackupVaultList[0].BackupVaultName) != "other" {
		t.Errorf("account 210987654321's vaults: %+v %v", out, err)
	}
	if names := vaultNames(t, inst, "us-east-1"); len(names) != 0 {
		t.Errorf("the default account got the vault too: %v", names)
	}
}

// adminFaults is what the admin API lists: what the console staged, as a harness sees it.
func adminFaults(t *testing.T, inst *servertest.Instance) []faults.Fault {
	t.Helper()
	resp, err := http.Get(inst.URL + "/_xregion/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Faults []faults.Fault }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Faults
}

// TestFormsOfferEveryProtectedResourceType: Create on-demand backup and Assign resources
// offer DynamoDB tables and EBS volumes beside DB instances, grouped by resource type,
// a backup of each runs through AWS Backup, and a plan takes them as its resources.
func TestFormsOfferEveryProtectedResourceType(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	v := newVisitor(t, inst)
	ctx := context.Background()
	db := createInstance(t, inst, "ledger")
	table, err := dynamodb.NewFromConfig(inst.Config("us-east-1")).CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("orders"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	volumeID := createVolume(t, inst, "data")
	inst.WaitIdle()
	tableARN := aws.ToString(table.TableDescription.TableArn)
	volumeARN := "arn:aws:ec2:us-east-1:" + xtest.Account + ":volume/" + volumeID
	v.post(prefix+"backup/vaults", url.Values{"csrf": {v.csrf()}, "name": {"prod"}})

	_, body := v.get(prefix + "backup/jobs")
	wantIn(t, body, `<optgroup label="DynamoDB">`, `<option value="`+tableARN+`"`, "orders (DynamoDB)",
		`<optgroup label="EBS">`, `<option value="`+volumeARN+`"`, "data ("+volumeID+") (EBS)",
		`<optgroup label="RDS">`, `<option value="`+db+`"`)
	for _, arn := range []string{tableARN, volumeARN} {
		status, body := v.post(prefix+"backup/jobs", url.Values{"csrf": {v.csrf()}, "tab": {"backup"}, "resource": {arn},
			"vault": {"prod"}, "role": {"default"}})
		if status != http.StatusOK {
			t.Fatalf("Create on-demand backup of %s: %d\n%s", arn, status, body)
		}
	}
	inst.WaitIdle()
	jobs, err := backup.NewFromConfig(inst.Config("us-east-1")).ListBackupJobs(ctx, &backup.ListBackupJobsInput{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, j := range jobs.BackupJobs {
		states[aws.ToString(j.ResourceArn)] = aws.ToString(j.ResourceType) + " " + string(j.State)
	}
	if states[tableARN] != "DynamoDB COMPLETED" || states[volumeARN] != "EBS COMPLETED" {
		t.Errorf("backup jobs by resource: %v", states)
	}

	status, body := v.post(prefix+"backup/plans", url.Values{"csrf": {v.csrf()}, "name": {"daily"}, "rule": {"every-day"},
		"vault": {"prod"}, "frequency": {"Daily"}, "window": {"default"}})
	if status != http.StatusOK {
		t.Fatalf("Create plan: %d\n%s", status, body)
	}
	plans, err := backup.NewFromConfig(inst.Config("us-east-1")).ListBackupPlans(ctx, &backup.ListBackupPlansInput{})
	if err != nil || len(plans.BackupPlansList) != 1 {
		t.Fatalf("plans: %+v %v", plans, err)
	}
	id := aws.ToString(plans.BackupPlansList[0].BackupPlanId)
	_, body = v.get(prefix + "backup/plans/" + id)
	wantIn(t, body, "orders (DynamoDB)", "(EBS)", "ledger (RDS)")
	status, body = v.post(prefix+"backup/plans/"+id+"/selections", url.Values{"csrf": {v.csrf()}, "selection": {"volumes"},
		"resource": {volumeARN}, "role": {"default"}})
	if status != http.StatusOK {
		t.Fatalf("Assign resources: %d\n%s", status, body)
	}
	wantIn(t, body, "Resources assigned to the plan.", "volumes")
}

// createVolume creates an EBS volume named name in us-east-1 with a signed EC2 query
// request (the module has no EC2 SDK client: its size is not worth one test), and
// returns its id.
func createVolume(t *testing.T, inst *servertest.Instance, name string) string {
	t.Helper()
	form := url.Values{"Action": {"CreateVolume"}, "Version": {"2016-11-15"}, "AvailabilityZone": {"us-east-1a"},
		"Size": {"8"}, "VolumeType": {"gp3"}, "TagSpecification.1.ResourceType": {"volume"},
		"TagSpecification.1.Tag.1.Key": {"Name"}, "TagSpecification.1.Tag.1.Value": {name}}
	status, body := signedCall(t, inst, "ec2", "us-east-1", http.MethodPost, "/", "application/x-www-form-urlencoded; charset=utf-8", form.Encode())
	var out struct {
		VolumeID string `xml:"volumeId"`
	}
	if err := xml.Unmarshal(body, &out); err != nil || status != http.StatusOK || out.VolumeID == "" {
		t.Fatalf("CreateVolume: HTTP %d, %+v, %v", status, out, err)
	}
	return out.VolumeID
}

// signedCall sends one request signed with SigV4 for service in region, for the services
// the module has no SDK client of, and returns the answer's status and body.
func signedCall(t *testing.T, inst *servertest.Instance, service, region, method, path, contentType, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, inst.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	sum := sha256.Sum256([]byte(body))
	cfg := inst.Config(region)
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, answer
}
