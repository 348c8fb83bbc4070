package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/xregion/xregion/internal/xtest"
)

// The console's tests drive a real Chromium (Debian's chromium package; .ci/run installs
// it) and find every field, button, link and tab by its role and accessible name, as a
// screen reader would — the AWS console's words are the test's words.

// chromiumPath is the browser the tests drive, or "" when none is installed.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is a headless Chromium tab, closed when the test ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	need(t, "chromium", path != "")
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 1000))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to sandbox itself as root
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser outside any timeout
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// byRole finds elements by their accessibility role and accessible name, through
// Chromium's own accessibility tree.
func byRole(role, name string) chromedp.QueryOption {
	return chromedp.ByFunc(func(ctx context.Context, t *chromedp.Target, n *chromedp.Node) ([]cdp.NodeID, error) {
		return queryRole(ctx, t, n.NodeID, role, name)
	})
}

// byRoleIn is byRole inside the landmark of a role and name (a secret's section among
// several, each with its own "Replicate secret to other Regions").
func byRoleIn(scopeRole, scopeName, role, name string) chromedp.QueryOption {
	return chromedp.ByFunc(func(ctx context.Context, t *chromedp.Target, n *chromedp.Node) ([]cdp.NodeID, error) {
		scopes, err := queryRole(ctx, t, n.NodeID, scopeRole, scopeName)
		if err != nil || len(scopes) == 0 {
			return nil, err
		}
		return queryRole(ctx, t, scopes[0], role, name)
	})
}

func queryRole(ctx context.Context, t *chromedp.Target, root cdp.NodeID, role, name string) ([]cdp.NodeID, error) {
	found, err := cdp.Call(ctx, t, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{
		NodeID: root, Role: role, AccessibleName: name,
	})
	if err != nil {
		return nil, err
	}
	var backend []cdp.BackendNodeID
	for _, a := range found.Nodes {
		if !a.Ignored && a.BackendDOMNodeID != 0 {
			backend = append(backend, a.BackendDOMNodeID)
		}
	}
	if len(backend) == 0 {
		return nil, nil // not there yet: the query waits
	}
	pushed, err := cdp.Call(ctx, t, dom.PushNodesByBackendIDsToFrontend, dom.PushNodesByBackendIDsToFrontendParams{BackendNodeIDs: backend})
	return pushed.NodeIDs, err
}

// page is a test's view of the console in one tab.
type page struct {
	t   *testing.T
	ctx context.Context
	url string
}

func openConsole(t *testing.T, srv *server) *page {
	return &page{t: t, ctx: browser(t), url: srv.URL + "/_xregion/console/"}
}

// do runs browser actions with a time limit, failing the test with what the page says.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		body, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
		p.t.Fatalf("%s: %v\npage text:\n%s", what, err, body)
	}
}

func (p *page) open(path string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.url+path))
}

func (p *page) click(role, name string) {
	p.t.Helper()
	p.do(fmt.Sprintf("click the %s %q", role, name), chromedp.Click("", byRole(role, name)))
}

// fill types text into a field found by its label.
func (p *page) fill(role, label, text string) {
	p.t.Helper()
	p.do(fmt.Sprintf("fill %q", label), chromedp.Clear("", byRole(role, label)), chromedp.SendKeys("", text, byRole(role, label)))
}

// choose picks an option of a select found by its label, and fires change as a person's
// choice does. It waits for the option, which htmx may still be loading.
func (p *page) choose(label, value string) {
	p.t.Helper()
	p.chooseBy(label, value, byRole("combobox", label))
}

func (p *page) chooseBy(label, value string, by chromedp.QueryOption) {
	p.t.Helper()
	pick := chromedp.QueryAfter("", func(ctx context.Context, t *chromedp.Target, nodes []*chromedp.Node) (bool, error) {
		obj, err := cdp.Call(ctx, t, dom.ResolveNode, dom.ResolveNodeParams{NodeID: nodes[0].NodeID})
		if err != nil {
			return false, err
		}
		return chromedp.CallFunctionOn[bool](`function(v) {
			if (![...this.options].some(o => o.value === v)) return false;
			this.value = v;
			this.dispatchEvent(new Event("change", {bubbles: true}));
			return true;
		}`, func(c *runtime.CallFunctionOnParams) { c.ObjectID = obj.Object.ObjectID }, value)(ctx, t)
	}, by)
	pollUntil(p.t, 30*time.Second, func() string {
		ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
		defer cancel()
		ok, err := chromedp.Run(ctx, pick)
		if err != nil {
			p.t.Fatalf("choose %q in %q: %v", value, label, err)
		}
		if !ok {
			return fmt.Sprintf("%q has no option %q", label, value)
		}
		return ""
	})
}

// region switches the Region selector and waits for the page of that Region.
func (p *page) region(name string) {
	p.t.Helper()
	p.choose("Region", name)
	pollUntil(p.t, 30*time.Second, func() string {
		loc, err := chromedp.Run(p.ctx, chromedp.Location())
		if err != nil {
			return err.Error()
		}
		state, err := chromedp.Run(p.ctx, chromedp.Evaluate[string]("document.readyState"))
		if err != nil || !strings.Contains(loc, "region="+name) || state != "complete" {
			return fmt.Sprintf("still on %s (%s, %v)", loc, state, err)
		}
		return ""
	})
}

// text is the text of the first element a CSS selector finds. A page that is being
// replaced (a form's answer, htmx's refresh) may lose the element between finding and
// reading it: that is an error to retry, not a failure.
func (p *page) text(css string) (string, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
}

// waitText waits until the element a CSS selector finds says want, and fails with the
// page's text if it never does.
func (p *page) waitText(css, want string) string {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := p.text(css)
		if err == nil && strings.Contains(got, want) {
			return got
		}
		if time.Now().After(deadline) {
			body, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
			p.t.Fatalf("%s says %q (%v), want %q; the page says:\n%s", css, got, err, want, body)
		}
		waitBriefly()
	}
}

// screenshot saves the page under docs/console when XREGION_SCREENSHOTS is set, which
// is how the README's pictures are made.
func (p *page) screenshot(name string) {
	dir := os.Getenv("XREGION_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// TestConsoleSeed001 follows seed 001 in the console, step by step, by the AWS console's
// words: vaults in two Regions, a recovery point (made through the SDK), "Copy" to the
// other Region with "Create backup copy" (after the Lifecycle's 90-day rule refused a
// first try, in the page and then by the API), the copy job and the copy in the
// destination vault once the clock moves; then the scheduled path, a plan built with
// "Build a new plan" whose rule does "Generate copy" to the other Region.
func TestConsoleSeed001(t *testing.T) {
	t.Parallel()
	// A transition delay the clock has to cover: the copy appears once the clock moves.
	srv := startServer(t, "--transition-delay", "10m")
	p := openConsole(t, srv)
	ctx := context.Background()

	p.open("")
	p.click("link", "Backup vaults")
	p.createVault("us-east-1", "prod")
	p.region("us-west-2")
	p.createVault("us-west-2", "dr")

	db := createInstance(t, srv, "seeddb")
	east := backup.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1"))
	started, err := east.StartBackupJob(ctx, &backup.StartBackupJobInput{
		BackupVaultName: aws.String("prod"), ResourceArn: db,
		IamRoleArn: aws.String("arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.admin(t, "POST", "clock", `{"advance":"24h"}`, nil)
	pollUntil(t, time.Minute, func() string {
		j, err := east.DescribeBackupJob(ctx, &backup.DescribeBackupJobInput{BackupJobId: started.BackupJobId})
		if err != nil || j.State != "COMPLETED" {
			return fmt.Sprintf("backup job: %v %v", j, err)
		}
		return ""
	})

	// 2. Choose Backup vaults. 3. Choose a vault and a recovery point.
	p.region("us-east-1")
	p.click("link", "prod")
	p.click("link", aws.ToString(started.RecoveryPointArn))
	p.waitText("main", "COMPLETED")
	p.screenshot("recovery-point")
	// 4. Choose the Copy button. 5. Destination Region, Backup vault, IAM role, Lifecycle.
	p.click("button", "Copy")
	p.choose("Destination Region", "us-west-2")
	p.choose("Backup vault", "dr")
	p.click("radio", "Default")
	p.fill("spinbutton", "Transition to cold storage", "30")
	p.fill("spinbutton", "Expire", "60")
	p.click("button", "Create backup copy")
	// The page refuses first: Expire is not 90 days after the transition.
	msg, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.getElementById("expire").validationMessage`))
	if err != nil || !strings.Contains(msg, "90 days") {
		t.Fatalf("the page let a lifecycle without 90 days in cold storage through: %q %v", msg, err)
	}
	// Past the page (a form submitted without its script), AWS Backup refuses it itself.
	p.do("submit past the page's check", chromedp.Evaluate[chromedp.Void](`document.querySelector("form[action$='backup/copy']").submit()`))
	p.waitText("[role=alert]", "InvalidParameterValueException")
	p.waitText("[role=alert]", "90")
	p.choose("Backup vault", "dr")
	p.fill("spinbutton", "Transition to cold storage", "")
	p.fill("spinbutton", "Expire", "120")
	p.screenshot("copy")
	// 6. Choose Create backup copy.
	p.click("button", "Create backup copy")
	p.waitText("[role=status]", "Copy job")
	p.waitText("[aria-label='Copy jobs']", "us-west-2")

	// The copy runs on the engine's clock: move it with the console's own control.
	p.advance("24h")
	p.click("link", "Jobs")
	p.click("tab", "Copy jobs")
	p.waitText("[aria-label='Copy jobs'] tbody", "COMPLETED")
	p.screenshot("copy-jobs")

	p.region("us-west-2")
	p.click("link", "Backup vaults")
	p.click("link", "dr")
	p.waitText("main", "arn:aws:rds:us-west-2:123456789012:snapshot:awsbackup:")
	p.screenshot("destination-vault")

	seedScheduledCopy(t, srv, p, db)
}

// seedScheduledCopy is seed 001's second walk: Backup plans, Create Backup plan, Build a
// new plan, whose rule does Generate copy to us-west-2; two days later the plan has run.
func seedScheduledCopy(t *testing.T, srv *server, p *page, db *string) {
	ctx := context.Background()
	p.region("us-east-1")
	p.click("link", "Backup plans")
	p.click("link", "Create Backup plan")
	p.click("radio", "Build a new plan")
	p.fill("textbox", "Backup plan name", "seed-plan")
	p.fill("textbox", "Rule name", "daily")
	p.choose("Backup vault", "prod")
	p.choose("Frequency", "Daily")
	p.click("radio", "Use backup window defaults (recommended)")
	p.choose("Destination Region", "us-west-2")
	p.choose("Destination Backup Vault", "dr")
	p.screenshot("create-plan")
	p.click("button", "Create plan")
	p.waitText("[role=status]", "Backup plan seed-plan created")
	p.waitText("main", "us-west-2: arn:aws:backup:us-west-2:123456789012:backup-vault:dr")
	p.fill("textbox", "Resource assignment name", "databases")
	p.choose("Resource", aws.ToString(db))
	p.click("button", "Assign resources")
	p.waitText("[role=status]", "Resources assigned")

	// Two days later the plan has run and copied its backups to us-west-2.
	p.advance("48h")
	p.screenshot("overview")
	west := backup.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-west-2"))
	pollUntil(t, time.Minute, func() string {
		points, err := west.ListRecoveryPointsByBackupVault(ctx, &backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: aws.String("dr")})
		if err != nil || len(points.RecoveryPoints) < 2 {
			return fmt.Sprintf("dr holds %v (%v), want the on-demand copy and the plan's", points, err)
		}
		return ""
	})
	p.click("link", "Jobs")
	p.click("tab", "Copy jobs")
	copies := strings.Count(p.waitText("[aria-label='Copy jobs'] tbody", "COMPLETED"), "COMPLETED")
	if copies < 2 {
		t.Fatalf("the Copy jobs tab shows %d completed copies, want the on-demand one and the plan's", copies)
	}
}

// createVault fills "Create Backup vault" on the Backup vaults page.
func (p *page) createVault(region, name string) {
	p.t.Helper()
	p.fill("textbox", "Backup vault name", name)
	p.click("button", "Create Backup vault")
	p.waitText("[role=status]", "Backup vault "+name+" created")
}

// createInstance makes an RDS DB instance in us-east-1 through the SDK and returns its ARN
// once it is available.
func createInstance(t *testing.T, srv *server, id string) *string {
	t.Helper()
	ctx := context.Background()
	client := rds.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1"))
	_, err := client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin1"), MasterUserPassword: aws.String("secretpass1"),
		StorageEncrypted: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	var arn *string
	pollUntil(t, time.Minute, func() string {
		srv.admin(t, "POST", "clock", `{"advance":"1h"}`, nil)
		out, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil || aws.ToString(out.DBInstances[0].DBInstanceStatus) != "available" {
			return fmt.Sprintf("instance %s: %v", id, err)
		}
		arn = out.DBInstances[0].DBInstanceArn
		return ""
	})
	return arn
}

// TestConsoleSecretReplicas is Secrets Manager in the console: a replica made with
// "Replicate secret to other Regions" turns InSync on the open page once the clock moves,
// and is promoted in its Region; with a Region taken down (xregion's fault control), a
// replica there turns Failed on the page when the retries run out.
func TestConsoleSecretReplicas(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--transition-delay", "10m")
	sm := secretsmanager.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-east-1"))
	for _, name := range []string{"db-password", "api-key"} {
		if _, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
			Name: aws.String(name), SecretString: aws.String("value of " + name)}); err != nil {
			t.Fatal(err)
		}
	}
	p := openConsole(t, srv)
	p.open("")
	p.regionFault("us-west-2", "Take Region down", "us-west-2 is down.")
	p.waitText("[aria-label='us-west-2']", "Down")

	p.click("link", "Secrets")
	p.replicate("api-key", "us-west-2")
	p.replicate("db-password", "eu-west-1")
	p.waitText("[aria-label='Replication status of db-password']", "InProgress")
	// The page stays open while the clock moves (admin API): its tables refresh themselves.
	srv.admin(t, "POST", "clock", `{"advance":"24h"}`, nil)
	p.waitText("[aria-label='Replication status of db-password']", "InSync")
	p.waitText("[aria-label='Replication status of api-key']", "Failed")
	p.screenshot("secrets")

	p.region("eu-west-1")
	p.waitText("main", "This secret is a replica of the primary secret in us-east-1")
	p.click("button", "Promote to standalone secret")
	p.waitText("[role=status]", "The replica is now a standalone secret.")
	out, err := secretsmanager.NewFromConfig(xtest.DefaultConfig(srv.URL, "eu-west-1")).DescribeSecret(context.Background(),
		&secretsmanager.DescribeSecretInput{SecretId: aws.String("db-password")})
	if err != nil || out.PrimaryRegion != nil && aws.ToString(out.PrimaryRegion) != "eu-west-1" {
		t.Fatalf("the promoted replica: %+v %v", out, err)
	}

	p.regionFault("us-west-2", "Bring Region back", "us-west-2 is back.")

	// Any fault the admin API takes, staged and cleared from the overview.
	p.choose("Region of the fault", "eu-west-1")
	p.fill("textbox", "Service", "secretsmanager")
	p.click("radio", "API outage (HTTP 503)")
	p.fill("textbox", "Lasts", "30m")
	p.click("button", "Stage fault")
	p.waitText("[role=status]", "The fault is staged.")
	p.waitText("[aria-label='Faults']", "eu-west-1 · secretsmanager")
	p.waitText("[aria-label='Faults']", "API outage (HTTP 503)")
	_, err = secretsmanager.NewFromConfig(xtest.DefaultConfig(srv.URL, "eu-west-1"), func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }).
		DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db-password")})
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("a call during the staged outage: %v", err)
	}
	p.click("button", "Clear")
	p.waitText("[role=status]", "The fault is cleared.")
	p.waitText("[aria-label='Faults']", "Every Region is up.")
}

// replicate fills a secret's "Replicate secret to other Regions" on the Secrets page.
func (p *page) replicate(secret, region string) {
	p.t.Helper()
	p.chooseBy("AWS Region", region, byRoleIn("region", secret, "combobox", "AWS Region"))
	p.do("Replicate secret to other Regions", chromedp.Click("", byRoleIn("region", secret, "button", "Replicate secret to other Regions")))
	p.waitText("[role=status]", "Replication to "+region+" started.")
}

// regionFault takes a Region down or brings it back with the overview's control (button),
// and waits for the page to say so (notice).
func (p *page) regionFault(region, button, notice string) {
	p.t.Helper()
	p.click("link", "Cross-Region overview")
	p.choose("Fault Region", region)
	p.click("button", button)
	p.waitText("[role=status]", notice)
}

// advance moves the clock with the overview's control.
func (p *page) advance(by string) {
	p.t.Helper()
	p.click("link", "Cross-Region overview")
	p.fill("textbox", "Advance by", by)
	p.click("button", "Advance clock")
	p.waitText("[role=status]", "The clock moved forward by "+by)
}

// TestConsoleRDSReplication is RDS in the console: Manage cross-Region replication of a
// DB instance's automated backups, the replicated backup in the destination Region, its
// lag plotted on the overview as the clock moves, and Restore to point in time from it.
func TestConsoleRDSReplication(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--transition-delay", "10m")
	createInstance(t, srv, "orders")
	p := openConsole(t, srv)
	p.open("rds?tab=backups&region=us-east-1")
	p.choose("DB instance", "arn:aws:rds:us-east-1:123456789012:db:orders")
	p.choose("Destination Region", "us-west-2")
	p.fill("spinbutton", "Replicated backup retention period", "14")
	// The instance is encrypted: RDS refuses a replication without a key of the destination.
	p.click("button", "Enable replication")
	p.waitText("[role=alert]", "KMSKeyNotAccessibleFault")
	p.choose("DB instance", "arn:aws:rds:us-east-1:123456789012:db:orders")
	p.choose("Destination Region", "us-west-2")
	p.fill("textbox", "AWS KMS key", "alias/aws/rds")
	p.click("button", "Enable replication")
	p.waitText("[role=status]", "Replication to us-west-2 started.")

	p.advance("1h")
	p.advance("1h")
	p.waitText("[aria-label='us-west-2']", "orders from us-east-1")
	p.do("see the replication lag plotted", chromedp.WaitReady(chromedp.CSS("section[aria-labelledby=lag-h] svg polyline")))
	p.screenshot("overview-lag")

	p.region("us-west-2")
	p.click("link", "RDS")
	p.click("tab", "Automated backups")
	p.waitText("[aria-label='Replicated automated backups']", "orders")
	p.screenshot("rds-replicated")
	out, err := rds.NewFromConfig(xtest.DefaultConfig(srv.URL, "us-west-2")).DescribeDBInstanceAutomatedBackups(context.Background(),
		&rds.DescribeDBInstanceAutomatedBackupsInput{})
	if err != nil || len(out.DBInstanceAutomatedBackups) != 1 {
		t.Fatalf("us-west-2's automated backups: %+v %v", out, err)
	}
	p.click("tab", "Databases")
	p.choose("Source", "backup:"+aws.ToString(out.DBInstanceAutomatedBackups[0].DBInstanceAutomatedBackupsArn))
	p.click("radio", "Latest restorable time")
	p.fill("textbox", "DB instance identifier", "orders-dr")
	p.click("button", "Restore to point in time")
	p.waitText("[role=status]", "DB instance orders-dr is being restored.")
	p.waitText("[aria-label='Databases']", "orders-dr")
}
