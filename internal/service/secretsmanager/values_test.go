package secretsmanager_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/xregion/xregion/internal/xtest"
)

func put(t testing.TB, c *secretsmanager.Client, id, tok, value string, stages ...string) *secretsmanager.PutSecretValueOutput {
	t.Helper()
	return xtest.Must[*secretsmanager.PutSecretValueOutput](t)(c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(id), ClientRequestToken: aws.String(tok), SecretString: aws.String(value), VersionStages: stages,
	}))
}

// stagesOf lists the versions of a secret with their labels, deprecated ones included.
func stagesOf(t testing.TB, c *secretsmanager.Client, id string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	p := secretsmanager.NewListSecretVersionIdsPaginator(c, &secretsmanager.ListSecretVersionIdsInput{
		SecretId: aws.String(id), IncludeDeprecated: aws.Bool(true),
	})
	for p.HasMorePages() {
		page := xtest.Must[*secretsmanager.ListSecretVersionIdsOutput](t)(p.NextPage(ctx))
		for _, v := range page.Versions {
			out[aws.ToString(v.VersionId)] = v.VersionStages
		}
	}
	return out
}

func TestPutSecretValueStages(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("S1"), ClientRequestToken: aws.String(token("v1")),
	}))
	out := put(t, e.East, "s", token("v2"), "S2")
	if !slices.Equal(out.VersionStages, []string{"AWSCURRENT"}) || aws.ToString(out.VersionId) != token("v2") {
		t.Errorf("put = %+v", out)
	}
	want := map[string][]string{token("v1"): {"AWSPREVIOUS"}, token("v2"): {"AWSCURRENT"}}
	if got := stagesOf(t, e.East, "s"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after put: %v, want %v", got, want)
	}

	// A labelled put leaves AWSCURRENT alone; labels move from the versions that had them.
	put(t, e.East, "s", token("v3"), "S3", "AWSPENDING", "custom")
	put(t, e.East, "s", token("v4"), "S4", "custom")
	want = map[string][]string{
		token("v1"): {"AWSPREVIOUS"}, token("v2"): {"AWSCURRENT"}, token("v3"): {"AWSPENDING"}, token("v4"): {"custom"},
	}
	if got := stagesOf(t, e.East, "s"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after labelled puts: %v, want %v", got, want)
	}
	if v := getValue(t, e.East, "s"); aws.ToString(v.SecretString) != "S2" {
		t.Errorf("AWSCURRENT = %q", aws.ToString(v.SecretString))
	}
	v := xtest.Must[*secretsmanager.GetSecretValueOutput](t)(e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String("s"), VersionStage: aws.String("AWSPREVIOUS"),
	}))
	if aws.ToString(v.SecretString) != "S1" {
		t.Errorf("AWSPREVIOUS = %q", aws.ToString(v.SecretString))
	}
	v = xtest.Must[*secretsmanager.GetSecretValueOutput](t)(e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String("s"), VersionId: aws.String(token("v3")), VersionStage: aws.String("AWSPENDING"),
	}))
	if aws.ToString(v.SecretString) != "S3" || !slices.Equal(v.VersionStages, []string{"AWSPENDING"}) {
		t.Errorf("v3 = %+v", v)
	}

	// Without labels, v1 is deprecated: listed only with IncludeDeprecated.
	put(t, e.East, "s", token("v5"), "S5")
	list := xtest.Must[*secretsmanager.ListSecretVersionIdsOutput](t)(e.East.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("s")}))
	for _, v := range list.Versions {
		if aws.ToString(v.VersionId) == token("v1") {
			t.Errorf("deprecated version listed without IncludeDeprecated")
		}
		if len(v.KmsKeyIds) != 1 || v.KmsKeyIds[0] != "DefaultEncryptionKey" || v.CreatedDate == nil {
			t.Errorf("version entry %+v", v)
		}
	}
	if got := stagesOf(t, e.East, "s"); got[token("v1")] != nil || len(got) != 5 {
		t.Errorf("with deprecated: %v", got)
	}
}

func TestGetSecretValueErrors(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("S1"), ClientRequestToken: aws.String(token("v1")),
	}))
	_, err := e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionStage: aws.String("AWSPREVIOUS")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS")
	_, err = e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionId: aws.String(token("nope"))})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: "+token("nope"))
	_, err = e.East.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s"), VersionId: aws.String(token("v1")), VersionStage: aws.String("AWSPENDING")})
	wantErr(t, err, "InvalidRequestException", "You provided a VersionStage that is not associated to the provided VersionId.")

	_, err = e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s")})
	wantErr(t, err, "InvalidRequestException", "You must provide either SecretString or SecretBinary.")
	_, err = e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("a"), SecretBinary: []byte("b")})
	wantErr(t, err, "InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret.")
	_, err = e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("missing"), SecretString: aws.String("a")})
	wantErr(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	_, err = e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("a"), VersionStages: []string{"X", "X"}})
	wantErr(t, err, "InvalidParameterException", "")
}

// TestPutSecretValueIdempotent: the same token and value create nothing new; the same token
// with another value is refused.
func TestPutSecretValueIdempotent(t *testing.T) {
	e := start(t)
	arn := aws.ToString(create(t, e.East, "s", "S1").ARN)
	first := put(t, e.East, "s", token("p1"), "S2")
	again := put(t, e.East, "s", token("p1"), "S2")
	if aws.ToString(again.VersionId) != aws.ToString(first.VersionId) || !slices.Equal(again.VersionStages, []string{"AWSCURRENT"}) {
		t.Errorf("retry = %+v", again)
	}
	if n := len(stagesOf(t, e.East, "s")); n != 2 {
		t.Errorf("%d versions after a retried put, want 2", n)
	}
	_, err := e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("s"), ClientRequestToken: aws.String(token("p1")), SecretString: aws.String("S3"),
	})
	wantErr(t, err, "ResourceExistsException", "You can't use ClientRequestToken "+token("p1")+" because that value is already in use for a version of secret "+arn+".")
	// A binary value is not the same value as a string of the same bytes.
	_, err = e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("s"), ClientRequestToken: aws.String(token("p1")), SecretBinary: []byte("S2"),
	})
	wantErr(t, err, "ResourceExistsException", "")
}

// TestVersionQuota: at most 100 versions; unlabelled ones go once a day old, oldest first.
func TestVersionQuota(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("busy"), SecretString: aws.String("v0"), ClientRequestToken: aws.String(token("q000")),
	}))
	for i := 1; i < 100; i++ {
		put(t, e.East, "busy", token(fmt.Sprintf("q%03d", i)), fmt.Sprint("v", i))
	}
	_, err := e.East.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("busy"), ClientRequestToken: aws.String(token("q100")), SecretString: aws.String("v100"),
	})
	wantErr(t, err, "LimitExceededException", "")

	e.Instance.Advance(25 * time.Hour)
	put(t, e.East, "busy", token("q100"), "v100")
	put(t, e.East, "busy", token("q101"), "v101")
	got := stagesOf(t, e.East, "busy")
	if len(got) != 100 {
		t.Errorf("%d versions, want 100", len(got))
	}
	for _, gone := range []string{"q000", "q001"} {
		if _, ok := got[token(gone)]; ok {
			t.Errorf("oldest deprecated version %s kept", gone)
		}
	}
	if !slices.Equal(got[token("q101")], []string{"AWSCURRENT"}) || !slices.Equal(got[token("q100")], []string{"AWSPREVIOUS"}) {
		t.Errorf("labels: q100 %v q101 %v", got[token("q100")], got[token("q101")])
	}
}

func TestListSecretVersionIdsPages(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("s"), SecretString: aws.String("v0"), ClientRequestToken: aws.String(token("l0")),
	}))
	for i := 1; i < 5; i++ {
		put(t, e.East, "s", token(fmt.Sprint("l", i)), fmt.Sprint("v", i), fmt.Sprint("label", i))
	}
	var seen []string
	var next *string
	for pages := 0; ; pages++ {
		out := xtest.Must[*secretsmanager.ListSecretVersionIdsOutput](t)(e.East.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{
			SecretId: aws.String("s"), MaxResults: aws.Int32(2), NextToken: next,
		}))
		for _, v := range out.Versions {
			seen = append(seen, aws.ToString(v.VersionId))
		}
		if out.NextToken == nil {
			break
		}
		next = out.NextToken
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	want := []string{token("l0"), token("l1"), token("l2"), token("l3"), token("l4")}
	if !slices.Equal(seen, want) {
		t.Errorf("pages = %v, want %v (oldest first)", seen, want)
	}
	_, err := e.East.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("s"), NextToken: aws.String("!!")})
	wantErr(t, err, "InvalidNextTokenException", "")
}

// TestLastAccessedDate: a date, per day of the engine clock, moved only by reads.
func TestLastAccessedDate(t *testing.T) {
	e := start(t)
	create(t, e.East, "s", "v")
	if d := describe(t, e.East, "s"); d.LastAccessedDate != nil {
		t.Fatalf("LastAccessedDate before any read: %v", d.LastAccessedDate)
	}
	getValue(t, e.East, "s")
	d1 := describe(t, e.East, "s").LastAccessedDate
	if d1 == nil || !d1.Equal(d1.Truncate(24*time.Hour)) || time.Since(*d1) > 25*time.Hour {
		t.Fatalf("LastAccessedDate = %v, want today's midnight UTC", d1)
	}
	getValue(t, e.East, "s")
	if d := describe(t, e.East, "s").LastAccessedDate; !d.Equal(*d1) {
		t.Errorf("a second read the same day moved the date to %v", d)
	}
	e.Instance.Advance(48 * time.Hour)
	if d := describe(t, e.East, "s").LastAccessedDate; !d.Equal(*d1) {
		t.Errorf("the clock alone moved the date to %v", d)
	}
	getValue(t, e.East, "s")
	if d := describe(t, e.East, "s").LastAccessedDate; !d.Equal(d1.Add(48 * time.Hour)) {
		t.Errorf("LastAccessedDate = %v, want %v", d, d1.Add(48*time.Hour))
	}
	list := xtest.Must[*secretsmanager.ListSecretVersionIdsOutput](t)(e.East.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("s")}))
	if a := list.Versions[0].LastAccessedDate; a == nil || !a.Equal(d1.Add(48*time.Hour)) {
		t.Errorf("version LastAccessedDate = %v", a)
	}
}

// TestVersionStagesInAttachmentOrder: a version's labels come back in the order they were
// attached, as AWS answers them: the request's order, then labels moved onto the version
// later, last (AWS's answers as LocalStack's AWS-validated tests record them).
func TestVersionStagesInAttachmentOrder(t *testing.T) {
	e := start(t)
	create(t, e.East, "s", "v")
	v1 := aws.ToString(getValue(t, e.East, "s").VersionId)
	out := put(t, e.East, "s", token("z"), "v2", "two", "one", "three")
	if !slices.Equal(out.VersionStages, []string{"two", "one", "three"}) {
		t.Errorf("stages = %v", out.VersionStages)
	}
	out = put(t, e.East, "s", token("p0"), "v3", "AWSCURRENT", "PUT0")
	if !slices.Equal(out.VersionStages, []string{"AWSCURRENT", "PUT0"}) {
		t.Errorf("stages = %v", out.VersionStages)
	}
	xtest.Must[*secretsmanager.UpdateSecretVersionStageOutput](t)(e.East.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String("s"), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(token("z")), RemoveFromVersionId: aws.String(token("p0")),
	}))
	want := map[string][]string{v1: nil, token("z"): {"two", "one", "three", "AWSCURRENT"}, token("p0"): {"PUT0", "AWSPREVIOUS"}}
	if got := stagesOf(t, e.East, "s"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after moving AWSCURRENT: %v, want %v", got, want)
	}
	d := describe(t, e.East, "s")
	if got := d.VersionIdsToStages[token("z")]; !slices.Equal(got, want[token("z")]) {
		t.Errorf("DescribeSecret shows %v", got)
	}
	if got := getValue(t, e.East, "s").VersionStages; !slices.Equal(got, want[token("z")]) {
		t.Errorf("GetSecretValue shows %v", got)
	}
}

// TestFirstVersionIsCurrent: the first version of a secret gets AWSCURRENT even when
// PutSecretValue names other labels; later versions get only the labels named.
func TestFirstVersionIsCurrent(t *testing.T) {
	e := start(t)
	xtest.Must[*secretsmanager.CreateSecretOutput](t)(e.East.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s")}))
	out := put(t, e.East, "s", token("f1"), "first", "custom")
	if !slices.Equal(out.VersionStages, []string{"custom", "AWSCURRENT"}) {
		t.Errorf("first version stages = %v", out.VersionStages)
	}
	if v := getValue(t, e.East, "s"); aws.ToString(v.SecretString) != "first" || aws.ToString(v.VersionId) != token("f1") {
		t.Errorf("AWSCURRENT = %+v", v)
	}
	out = put(t, e.East, "s", token("f2"), "second", "AWSPENDING")
	if !slices.Equal(out.VersionStages, []string{"AWSPENDING"}) {
		t.Errorf("second version stages = %v", out.VersionStages)
	}
	want := map[string][]string{token("f1"): {"custom", "AWSCURRENT"}, token("f2"): {"AWSPENDING"}}
	if got := stagesOf(t, e.East, "s"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("versions %v, want %v", got, want)
	}
}
