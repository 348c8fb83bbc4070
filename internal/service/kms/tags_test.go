package kms_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/xtest"
)

func manyTags(n int) []types.Tag {
	var out []types.Tag
	for i := range n {
		out = append(out, types.Tag{TagKey: aws.String(fmt.Sprintf("k%02d", i)), TagValue: aws.String("v")})
	}
	return out
}

func countKeys(t *testing.T, c *kms.Client) int {
	t.Helper()
	return len(xtest.Must[*kms.ListKeysOutput](t)(c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1000)})).Keys)
}

func TestCreateKeyTagLimit(t *testing.T) {
	e := start(t)
	_, err := e.East.CreateKey(ctx, &kms.CreateKeyInput{Tags: manyTags(51)})
	wantErr(t, err, "TagException", "Too many tags")
	if n := countKeys(t, e.East); n != 0 {
		t.Errorf("refused CreateKey left %d keys", n)
	}
	md := createKey(t, e.East, &kms.CreateKeyInput{Tags: manyTags(50)})
	tags := xtest.Must[*kms.ListResourceTagsOutput](t)(e.East.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: md.KeyId}))
	if len(tags.Tags) != 50 || tags.Truncated {
		t.Errorf("%d tags (truncated %v), want 50", len(tags.Tags), tags.Truncated)
	}
	// Duplicate keys are reported before the count.
	dup := append(manyTags(51), types.Tag{TagKey: aws.String("k00"), TagValue: aws.String("w")})
	_, err = e.East.CreateKey(ctx, &kms.CreateKeyInput{Tags: dup})
	wantErr(t, err, "TagException", "Duplicate tag keys")
	// A key holding 50 tags takes no more.
	_, err = e.East.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []types.Tag{{TagKey: aws.String("one-more"), TagValue: aws.String("v")}}})
	wantErr(t, err, "LimitExceededException", "")
}

func TestReplicateKeyTagLimit(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, &kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	_, err := e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: md.KeyId, ReplicaRegion: aws.String("us-west-2"), Tags: manyTags(51)})
	wantErr(t, err, "TagException", "Too many tags")
	// Nothing was written: no replica, and the primary does not list one.
	if n := countKeys(t, e.West); n != 0 {
		t.Errorf("refused ReplicateKey left %d keys in us-west-2", n)
	}
	if d := describe(t, e.East, *md.KeyId); len(d.MultiRegionConfiguration.ReplicaKeys) != 0 {
		t.Errorf("primary lists replicas %+v", d.MultiRegionConfiguration.ReplicaKeys)
	}
	rep := xtest.Must[*kms.ReplicateKeyOutput](t)(e.East.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: md.KeyId, ReplicaRegion: aws.String("us-west-2"), Tags: manyTags(50)}))
	if len(rep.ReplicaTags) != 50 {
		t.Errorf("%d replica tags, want 50", len(rep.ReplicaTags))
	}
}
