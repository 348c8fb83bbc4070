package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/xtest"
)

// cdktfProviderVersion is the AWS provider e2e/cdktf/cdktf.json generates bindings for;
// the filesystem mirror must hold it.
const cdktfProviderVersion = "5.100.0"

// cdktfProject lists the files of e2e/cdktf that make up the CDK for Terraform app.
var cdktfProject = []string{"package.json", "package-lock.json", "cdktf.json", "tsconfig.json", "main.ts"}

// cdktfTool is an installation of CDK for Terraform with the AWS provider's bindings:
// node_modules from npm ci and .gen from cdktf get, shared by every run on the machine.
type cdktfTool struct{ dir string }

func (c cdktfTool) bin(name string) string { return filepath.Join(c.dir, "node_modules", ".bin", name) }

// cdktfInstall returns the cached installation for e2e/cdktf's lock file and cdktf.json,
// making it when it is missing: npm ci, then cdktf get, in a directory of its own that is
// renamed into place only when both succeed, so a run that stops half-way or a second run
// at the same time never leaves a broken cache. CDKTF counts as absent where npm cannot
// reach its registry.
func cdktfInstall(t *testing.T, offline []string) cdktfTool {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	final := filepath.Join(cache, "xregion", "e2e-cdktf-"+cdktfKey(t))
	if _, err := os.Stat(filepath.Join(final, ".gen", "providers", "aws", "provider", "index.ts")); err == nil {
		return cdktfTool{dir: final}
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		t.Fatal(err)
	}
	stage, err := os.MkdirTemp(filepath.Dir(final), "e2e-cdktf-partial-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(stage) // gone once renamed; otherwise a failed or losing attempt
	copyProject(t, stage)
	done := timed(t, "npm ci for CDKTF")
	stdout, stderr, err := runFor(10*time.Minute, os.Environ(), stage, "npm", "ci", "--no-audit", "--no-fund")
	need(t, "CDK for Terraform (npm ci failed: "+strings.TrimSpace(lastLine(stdout+stderr))+")", err == nil)
	done()
	tool := cdktfTool{dir: stage}
	done = timed(t, "cdktf get")
	if stdout, stderr, err := runFor(10*time.Minute, offline, stage, tool.bin("cdktf"), "get"); err != nil {
		t.Fatalf("cdktf get: %v\n%s%s", err, stdout, stderr)
	}
	done()
	if err := os.Rename(stage, final); err != nil {
		t.Logf("another run installed CDKTF first (%v); using its installation", err)
	}
	return cdktfTool{dir: final}
}

// cdktfKey names an installation after what determines it: the pinned packages and the
// providers cdktf.json asks bindings for.
func cdktfKey(t *testing.T) string {
	h := sha256.New()
	for _, name := range []string{"package-lock.json", "cdktf.json"} {
		b, err := os.ReadFile(filepath.Join("cdktf", name))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func mirrorHolds(version string) bool {
	if pluginMirror() == "" {
		return false
	}
	matches, _ := filepath.Glob(filepath.Join(pluginMirror(), "registry.terraform.io", "hashicorp", "aws", version,
		runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-aws*"))
	return len(matches) > 0
}

func copyProject(t *testing.T, dir string) {
	t.Helper()
	for _, name := range cdktfProject {
		b, err := os.ReadFile(filepath.Join("cdktf", name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name), string(b))
	}
}

func runFor(d time.Duration, env []string, dir, name string, args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return run(ctx, env, dir, name, args...)
}

// cdktfEnv is the environment of every CDKTF and Terraform command of a run: the client
// environment of srv, Terraform installing the AWS provider from the filesystem mirror,
// no telemetry or version checks, and an unreachable proxy for everything but the
// loopback, so the run proves that CDKTF works offline.
func cdktfEnv(t *testing.T, srv *server, dir string) []string {
	return append(srv.clientEnv(t, "us-east-1"),
		"TF_CLI_CONFIG_FILE="+writeMirrorConfig(t, dir), "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1",
		"CDKTF_DISABLE_PLUGIN_CACHE_ENV=1", "DISABLE_VERSION_CHECK=1", "CI=1", "FORCE_COLOR=0",
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost",
		"XREGION_ENDPOINT="+srv.URL)
}

// cdktfApp is one run's copy of the app: its own directory, with the installation's
// node_modules and .gen linked in, its own synthesized stacks and state.
type cdktfApp struct {
	t    *testing.T
	tool cdktfTool
	dir  string
	env  []string
}

// newCDKTFApp makes the app's directory for srv. CDKTF counts as absent where node, npm,
// Terraform or the AWS provider it generates bindings for is missing.
func newCDKTFApp(t *testing.T, srv *server) *cdktfApp {
	t.Helper()
	need(t, "node and npm", haveCommand("node") && haveCommand("npm"))
	need(t, "terraform", haveCommand("terraform"))
	need(t, "terraform AWS provider "+cdktfProviderVersion+" in the mirror", mirrorHolds(cdktfProviderVersion))
	dir := t.TempDir()
	env := cdktfEnv(t, srv, dir)
	tool := cdktfInstall(t, env)
	copyProject(t, dir)
	for _, name := range []string{"node_modules", ".gen"} {
		if err := os.Symlink(filepath.Join(tool.dir, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return &cdktfApp{t: t, tool: tool, dir: dir, env: env}
}

// run runs a tool of the installation in the app's directory and fails the test if it fails.
func (a *cdktfApp) run(name string, args ...string) string {
	a.t.Helper()
	defer timed(a.t, name+" "+strings.Join(args, " "))()
	stdout, stderr, err := runFor(15*time.Minute, a.env, a.dir, a.tool.bin(name), args...)
	if err != nil {
		a.t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout + stderr
}

// stack is the synthesized stack as a Terraform working directory, for the steps
// CDKTF leaves to Terraform: plan, state rm and import.
func (a *cdktfApp) stack(srv *server, name string) *terraform {
	return &terraform{t: a.t, dir: filepath.Join(a.dir, "cdktf.out", "stacks", name), env: a.env, srv: srv}
}

// outputs reads the file cdktf deploy --outputs-file wrote.
func (a *cdktfApp) outputs(stack string) map[string]string {
	a.t.Helper()
	b, err := os.ReadFile(filepath.Join(a.dir, "outputs.json"))
	if err != nil {
		a.t.Fatal(err)
	}
	var all map[string]map[string]string
	if err := json.Unmarshal(b, &all); err != nil {
		a.t.Fatalf("outputs.json: %v\n%s", err, b)
	}
	return all[stack]
}

// synthesized reads the stack's cdk.tf.json.
func (a *cdktfApp) synthesized(stack string) map[string]map[string]map[string]json.RawMessage {
	a.t.Helper()
	b, err := os.ReadFile(filepath.Join(a.dir, "cdktf.out", "stacks", stack, "cdk.tf.json"))
	if err != nil {
		a.t.Fatal(err)
	}
	var doc struct {
		Resource map[string]map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		a.t.Fatal(err)
	}
	return doc.Resource
}

// TestSeed000CDKTF runs seed 000 with its own client: the seed's three CDK for Terraform
// examples, translated line by line into TypeScript (e2e/cdktf/main.ts), with provider
// bindings cdktf get made offline from the filesystem mirror. It synthesizes, deploys,
// plans clean, imports the replication by its ARN as the seed shows, plans clean again
// and destroys, checking at each step what xregion holds.
func TestSeed000CDKTF(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	app := newCDKTFApp(t, srv)
	app.run("tsc", "-p", ".") // the translation type-checks against the generated bindings
	app.run("cdktf", "synth")
	checkSeed000Synth(t, app.synthesized("seed-000"))

	app.run("cdktf", "deploy", "--skip-synth", "--auto-approve", "--skip-provider-lock", "--outputs-file", "outputs.json")
	out := app.outputs("seed-000")
	checkSeed000Replications(t, srv, out)

	tf := app.stack(srv, "seed-000")
	tf.planNoChanges()
	tf.stateRm("aws_db_instance_automated_backups_replication.default")
	tf.importResource("aws_db_instance_automated_backups_replication.default", out["replication_3"])
	tf.planNoChanges()

	app.run("cdktf", "destroy", "--skip-synth", "--auto-approve", "--skip-provider-lock")
	checkSeed000Destroyed(t, srv, out)
}

// checkSeed000Synth checks that the three examples synthesized as the seed has them: the
// third example's resources under their original names, its replication through the
// replica provider.
func checkSeed000Synth(t *testing.T, res map[string]map[string]map[string]json.RawMessage) {
	t.Helper()
	replications := res["aws_db_instance_automated_backups_replication"]
	if len(replications) != 3 {
		t.Fatalf("synthesized %d replications, want the seed's 3: %v", len(replications), replications)
	}
	if p := string(replications["default"]["provider"]); p != `"aws.replica"` {
		t.Errorf("the third example's replication uses provider %s, want aws.replica", p)
	}
	if _, ok := res["aws_kms_key"]["default"]; !ok {
		t.Errorf("no aws_kms_key.default in %v", res["aws_kms_key"])
	}
}

// seedBackup describes one replicated automated backup by its ARN in region.
func seedBackup(t *testing.T, srv *server, region, arn string) rdstypes.DBInstanceAutomatedBackup {
	t.Helper()
	out, err := rds.NewFromConfig(xtest.DefaultConfig(srv.URL, region)).DescribeDBInstanceAutomatedBackups(context.Background(),
		&rds.DescribeDBInstanceAutomatedBackupsInput{DBInstanceAutomatedBackupsArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeDBInstanceAutomatedBackups %s in %s: %v", arn, region, err)
	}
	if len(out.DBInstanceAutomatedBackups) != 1 {
		t.Fatalf("DescribeDBInstanceAutomatedBackups %s in %s: %d backups", arn, region, len(out.DBInstanceAutomatedBackups))
	}
	return out.DBInstanceAutomatedBackups[0]
}

// seedReplication is what one example's replication must be in its destination Region.
type seedReplication struct {
	output, region, source, key string
	retention                   int32
}

func seed000Replications(out map[string]string) []seedReplication {
	return []seedReplication{
		{"replication_1", "us-east-1", "arn:aws:rds:us-west-2:123456789012:db:mydatabase", "", 14},
		{"replication_2", "us-east-1", "arn:aws:rds:us-west-2:123456789012:db:mydatabase-encrypted", out["key_2"], 7},
		{"replication_3", "us-west-2", "arn:aws:rds:us-east-1:123456789012:db:mydb", out["key_3"], 7},
	}
}

// checkSeed000Replications checks each example's replicated backups in its destination
// Region: replicating, from its source, under its key, for its retention period.
func checkSeed000Replications(t *testing.T, srv *server, out map[string]string) {
	t.Helper()
	for _, want := range seed000Replications(out) {
		arn := out[want.output]
		if !strings.HasPrefix(arn, "arn:aws:rds:"+want.region+":123456789012:auto-backup:ab-") {
			t.Errorf("%s = %q, want a replicated backup in %s", want.output, arn, want.region)
			continue
		}
		b := seedBackup(t, srv, want.region, arn)
		if aws.ToString(b.Status) != "replicating" || aws.ToString(b.DBInstanceArn) != want.source ||
			aws.ToString(b.KmsKeyId) != want.key || aws.ToBool(b.Encrypted) != (want.key != "") ||
			aws.ToInt32(b.BackupRetentionPeriod) != want.retention {
			t.Errorf("%s: status %s, source %s, key %q, encrypted %v, retention %d; want replicating, %s, %q, %d days",
				want.output, aws.ToString(b.Status), aws.ToString(b.DBInstanceArn), aws.ToString(b.KmsKeyId),
				aws.ToBool(b.Encrypted), aws.ToInt32(b.BackupRetentionPeriod), want.source, want.key, want.retention)
		}
	}
}

// checkSeed000Destroyed checks that destroy deleted the source instances and stopped every
// replication. The replicated backups stay, retained until their retention period ends,
// as AWS keeps them after StopDBInstanceAutomatedBackupsReplication.
func checkSeed000Destroyed(t *testing.T, srv *server, out map[string]string) {
	t.Helper()
	for _, region := range []string{"us-east-1", "us-west-2"} {
		list, err := rds.NewFromConfig(xtest.DefaultConfig(srv.URL, region)).DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.DBInstances) != 0 {
			t.Errorf("%d DB instances left in %s after destroy", len(list.DBInstances), region)
		}
	}
	for _, want := range seed000Replications(out) {
		if b := seedBackup(t, srv, want.region, out[want.output]); aws.ToString(b.Status) != "retained" {
			t.Errorf("after destroy %s is %s, want retained", want.output, aws.ToString(b.Status))
		}
	}
}
