package secretsmanager_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/server/servertest"
	"github.com/xregion/xregion/internal/xtest"
)

const lambdaARN = "arn:aws:lambda:us-east-1:123456789012:function:rotate"

func midnight(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

func TestRotateSecret(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Hour))
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("db"), SecretString: aws.String(`{"username":"admin","password":"old"}`), ClientRequestToken: aws.String(token("v1")),
	}))
	_, err := e.East.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(1)}})
	wantErr(t, err, "InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.")

	rot := &secretsmanager.RotateSecretInput{
		SecretId: aws.String("db"), ClientRequestToken: aws.String(token("r1")), RotationLambdaARN: aws.String(lambdaARN),
		RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(1)},
	}
	out := xtest.Must[*secretsmanager.RotateSecretOutput](t)(e.East.RotateSecret(ctx, rot))
	if aws.ToString(out.VersionId) != token("r1") {
		t.Fatalf("VersionId = %v", aws.ToString(out.VersionId))
	}
	// The rotator wrote AWSPENDING at once and promotes it after the transition delay.
	want := map[string][]string{token("v1"): {"AWSCURRENT"}, token("r1"): {"AWSPENDING"}}
	if got := stagesOf(t, e.East, "db"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("during rotation: %v, want %v", got, want)
	}
	pending := xtest.Must[*secretsmanager.GetSecretValueOutput](t)(e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionStage: aws.String("AWSPENDING")}))
	var obj map[string]string
	if err := json.Unmarshal([]byte(aws.ToString(pending.SecretString)), &obj); err != nil {
		t.Fatal(err)
	}
	if obj["username"] != "admin" || len(obj["password"]) != 32 || strings.ContainsAny(obj["password"], `/@"'\`) {
		t.Errorf("rotated value %q", aws.ToString(pending.SecretString))
	}
	// A second rotation waits for the first; a retry of the first is answered again.
	again := xtest.Must[*secretsmanager.RotateSecretOutput](t)(e.East.RotateSecret(ctx, rot))
	if aws.ToString(again.VersionId) != token("r1") {
		t.Errorf("retry VersionId = %v", aws.ToString(again.VersionId))
	}
	_, err = e.East.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), ClientRequestToken: aws.String(token("r2"))})
	wantErr(t, err, "InvalidRequestException", "A previous rotation isn't complete. That rotation will be reattempted.")

	d := describe(t, e.East, "db")
	if !aws.ToBool(d.RotationEnabled) || aws.ToString(d.RotationLambdaARN) != lambdaARN || aws.ToInt64(d.RotationRules.AutomaticallyAfterDays) != 1 || d.LastRotatedDate != nil {
		t.Errorf("describe during rotation: %+v", d)
	}

	e.Instance.Advance(time.Hour)
	want = map[string][]string{token("v1"): {"AWSPREVIOUS"}, token("r1"): {"AWSPENDING", "AWSCURRENT"}}
	if got := stagesOf(t, e.East, "db"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after rotation: %v, want %v", got, want)
	}
	if v := getValue(t, e.East, "db"); aws.ToString(v.SecretString) != aws.ToString(pending.SecretString) {
		t.Errorf("AWSCURRENT is not the rotated value")
	}
	d = describe(t, e.East, "db")
	if d.LastRotatedDate == nil || d.NextRotationDate == nil {
		t.Fatalf("describe after rotation: %+v", d)
	}
	// AutomaticallyAfterDays 1: the window is the whole next UTC day.
	if wantNext := midnight(*d.LastRotatedDate).Add(48*time.Hour - time.Second); !d.NextRotationDate.Equal(wantNext) {
		t.Errorf("NextRotationDate = %v, want %v", d.NextRotationDate, wantNext)
	}

	// The scheduled rotation happens on the engine clock.
	e.Instance.Advance(d.NextRotationDate.Sub(*d.LastRotatedDate))
	got := stagesOf(t, e.East, "db")
	if len(got) != 3 || !slices.Equal(got[token("r1")], []string{"AWSPREVIOUS"}) {
		t.Errorf("after the scheduled rotation: %v", got)
	}

	// CancelRotateSecret stops it; the configuration stays visible.
	xtest.Must[*secretsmanager.CancelRotateSecretOutput](t)(e.East.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String("db")}))
	d = describe(t, e.East, "db")
	if aws.ToBool(d.RotationEnabled) || d.RotationEnabled == nil || d.NextRotationDate != nil || aws.ToString(d.RotationLambdaARN) != lambdaARN {
		t.Errorf("describe after cancel: %+v", d)
	}
	e.Instance.Advance(5 * 24 * time.Hour)
	if n := len(stagesOf(t, e.East, "db")); n != 3 {
		t.Errorf("%d versions after cancelling, want 3", n)
	}
}

// TestCancelRotationInProgress: the partial version keeps AWSPENDING and is never promoted.
func TestCancelRotationInProgress(t *testing.T) {
	e := start(t, servertest.WithTransitionDelay(time.Hour))
	create(t, e.East, "s", "plain")
	_, err := e.East.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String("s")})
	wantErr(t, err, "InvalidRequestException", "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call.")
	xtest.Must[*secretsmanager.RotateSecretOutput](t)(e.East.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
		SecretId: aws.String("s"), ClientRequestToken: aws.String(token("p")), RotationLambdaARN: aws.String(lambdaARN),
	}))
	out := xtest.Must[*secretsmanager.CancelRotateSecretOutput](t)(e.East.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String("s")}))
	if aws.ToString(out.VersionId) != token("p") {
		t.Errorf("CancelRotateSecret VersionId = %v", aws.ToString(out.VersionId))
	}
	e.Instance.Advance(2 * time.Hour)
	if v := getValue(t, e.East, "s"); aws.ToString(v.SecretString) != "plain" {
		t.Errorf("a cancelled rotation was promoted")
	}
	if got := stagesOf(t, e.East, "s")[token("p")]; !slices.Equal(got, []string{"AWSPENDING"}) {
		t.Errorf("partial version labels %v", got)
	}
}

// TestRotateWholeValue: a value that is not a JSON object is replaced whole; a binary one
// too.
func TestRotateWholeValue(t *testing.T) {
	e := start(t)
	create(t, e.East, "str", "plain-password")
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bin"), SecretBinary: []byte{1, 2, 3}}))
	for _, id := range []string{"str", "bin"} {
		xtest.Must[*secretsmanager.RotateSecretOutput](t)(e.East.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(id), RotationLambdaARN: aws.String(lambdaARN)}))
	}
	e.Instance.WaitIdle()
	if v := getValue(t, e.East, "str"); len(aws.ToString(v.SecretString)) != 32 {
		t.Errorf("rotated string %q", aws.ToString(v.SecretString))
	}
	if v := getValue(t, e.East, "bin"); len(v.SecretBinary) != 32 || v.SecretString != nil {
		t.Errorf("rotated binary %v", v)
	}
	if d := describe(t, e.East, "str"); d.NextRotationDate != nil || d.LastRotatedDate == nil {
		t.Errorf("rotation without a schedule: %+v", d)
	}
}

func TestRotationRules(t *testing.T) {
	e := start(t)
	create(t, e.East, "s", "v")
	rotate := func(r types.RotationRulesType, immediately bool) (*secretsmanager.RotateSecretOutput, error) {
		return e.East.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
			SecretId: aws.String("s"), RotationLambdaARN: aws.String(lambdaARN), RotationRules: &r, RotateImmediately: aws.Bool(immediately),
		})
	}
	for _, c := range []struct {
		r   types.RotationRulesType
		msg string
	}{
		{types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(3), ScheduleExpression: aws.String("rate(3 days)")}, "You cannot specify both rotation frequency and schedule expression together."},
		{types.RotationRulesType{ScheduleExpression: aws.String("rate(1 hour)")}, ""},
		{types.RotationRulesType{ScheduleExpression: aws.String("rate(30 minutes)")}, ""},
		{types.RotationRulesType{ScheduleExpression: aws.String("cron(15 4 * * ? *)")}, ""},
		{types.RotationRulesType{ScheduleExpression: aws.String("cron(0 4 * * ? 2030)")}, ""},
		{types.RotationRulesType{ScheduleExpression: aws.String("every day")}, ""},
		{types.RotationRulesType{ScheduleExpression: aws.String("cron(0 22 * * ? *)"), Duration: aws.String("4h")}, ""},
		{types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(2), Duration: aws.String("25h")}, ""},
	} {
		_, err := rotate(c.r, false)
		wantErr(t, err, "InvalidParameterException", c.msg)
	}
	_, err := rotate(types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(1001)}, false)
	wantErr(t, err, "ValidationException", "")

	out := xtest.Must[*secretsmanager.RotateSecretOutput](t)(rotate(types.RotationRulesType{ScheduleExpression: aws.String("rate(10 days)")}, false))
	if out.VersionId != nil {
		t.Errorf("RotateImmediately false made version %s", aws.ToString(out.VersionId))
	}
	d := describe(t, e.East, "s")
	if aws.ToString(d.RotationRules.ScheduleExpression) != "rate(10 days)" || aws.ToInt64(d.RotationRules.AutomaticallyAfterDays) != 10 || d.LastRotatedDate != nil {
		t.Errorf("rules = %+v", d.RotationRules)
	}
	if want := midnight(time.Now()).Add(11*24*time.Hour - time.Second); d.NextRotationDate == nil || !d.NextRotationDate.Equal(want) {
		t.Errorf("NextRotationDate = %v, want %v", d.NextRotationDate, want)
	}

	// The AWS documentation's example: the 1st and 15th of each month, 16:00 to 18:00 UTC.
	xtest.Must[*secretsmanager.RotateSecretOutput](t)(rotate(types.RotationRulesType{ScheduleExpression: aws.String("cron(0 16 1,15 * ? *)"), Duration: aws.String("2h")}, false))
	d = describe(t, e.East, "s")
	if n := d.NextRotationDate.UTC(); n.Hour() != 17 || n.Minute() != 59 || n.Second() != 59 || (n.Day() != 1 && n.Day() != 15) {
		t.Errorf("NextRotationDate = %v", n)
	}
	if d.RotationRules.AutomaticallyAfterDays != nil || aws.ToString(d.RotationRules.Duration) != "2h" {
		t.Errorf("rules = %+v", d.RotationRules)
	}

	// Hourly rates start at midnight and every n hours after; the window is an hour.
	xtest.Must[*secretsmanager.RotateSecretOutput](t)(rotate(types.RotationRulesType{ScheduleExpression: aws.String("rate(6 hours)")}, false))
	d = describe(t, e.East, "s")
	if n := d.NextRotationDate.UTC(); n.Hour()%6 != 0 || n.Minute() != 59 || n.Sub(time.Now()) > 7*time.Hour {
		t.Errorf("NextRotationDate = %v", n)
	}
}
