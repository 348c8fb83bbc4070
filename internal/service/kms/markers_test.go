package kms_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/xregion/xregion/internal/xtest"
)

const invalidMarkerMsg = "The request was rejected because the marker that specifies where pagination should next begin is not valid."

func wantInvalidMarker(t *testing.T, err error) {
	t.Helper()
	wantErr(t, err, "InvalidMarkerException", invalidMarkerMsg)
}

func TestListKeysMarkers(t *testing.T) {
	e := start(t)
	var ids []string
	for range 4 {
		ids = append(ids, *createKey(t, e.East, nil).KeyId)
	}
	slices.Sort(ids)
	p1 := xtest.Must[*kms.ListKeysOutput](t)(e.East.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(2)}))
	if !p1.Truncated || p1.NextMarker == nil {
		t.Fatalf("first page not truncated: %+v", p1)
	}
	// A key id is not a marker, even the id the next page starts at.
	for _, m := range []string{"x", ids[2], *p1.NextMarker + "A", (*p1.NextMarker)[1:]} {
		_, err := e.East.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String(m)})
		wantInvalidMarker(t, err)
	}
	// Markers belong to their Region and to their list.
	_, err := e.West.ListKeys(ctx, &kms.ListKeysInput{Marker: p1.NextMarker})
	wantInvalidMarker(t, err)
	_, err = e.East.ListAliases(ctx, &kms.ListAliasesInput{Marker: p1.NextMarker})
	wantInvalidMarker(t, err)

	// Keys created between pages do not break the marker: the listing goes on from
	// where it stopped and includes the new keys that sort after it.
	added := *createKey(t, e.East, nil).KeyId
	var rest []string
	for m := p1.NextMarker; m != nil; {
		p := xtest.Must[*kms.ListKeysOutput](t)(e.East.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(2), Marker: m}))
		for _, k := range p.Keys {
			rest = append(rest, *k.KeyId)
		}
		m = p.NextMarker
	}
	var want []string
	for _, id := range append(slices.Clone(ids), added) {
		if id >= ids[2] {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	if !slices.Equal(rest, want) {
		t.Errorf("after the marker: %v, want %v", rest, want)
	}
}

func TestListAliasesMarkers(t *testing.T) {
	e := start(t)
	k := createKey(t, e.East, nil)
	for _, n := range []string{"alias/a", "alias/b", "alias/c", "alias/d"} {
		xtest.Must[*kms.CreateAliasOutput](t)(e.East.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(n), TargetKeyId: k.KeyId}))
	}
	p1 := xtest.Must[*kms.ListAliasesOutput](t)(e.East.ListAliases(ctx, &kms.ListAliasesInput{KeyId: k.KeyId, Limit: aws.Int32(2)}))
	if len(p1.Aliases) != 2 || *p1.Aliases[1].AliasName != "alias/b" || p1.NextMarker == nil {
		t.Fatalf("first page %+v", p1)
	}
	// The alias the next page starts at goes away: the page starts at the one after it.
	xtest.Must[*kms.DeleteAliasOutput](t)(e.East.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/c")}))
	p2 := xtest.Must[*kms.ListAliasesOutput](t)(e.East.ListAliases(ctx, &kms.ListAliasesInput{KeyId: k.KeyId, Limit: aws.Int32(2), Marker: p1.NextMarker}))
	if len(p2.Aliases) != 1 || *p2.Aliases[0].AliasName != "alias/d" || p2.Truncated || p2.NextMarker != nil {
		t.Errorf("second page %+v", p2)
	}
	// The marker of one key's aliases is not one of the whole list, nor of another key's.
	_, err := e.East.ListAliases(ctx, &kms.ListAliasesInput{Marker: p1.NextMarker})
	wantInvalidMarker(t, err)
	other := createKey(t, e.East, nil)
	_, err = e.East.ListAliases(ctx, &kms.ListAliasesInput{KeyId: other.KeyId, Marker: p1.NextMarker})
	wantInvalidMarker(t, err)
	// The same key by its ARN is the same list.
	xtest.Must[*kms.ListAliasesOutput](t)(e.East.ListAliases(ctx, &kms.ListAliasesInput{KeyId: k.Arn, Marker: p1.NextMarker}))
	_, err = e.East.ListAliases(ctx, &kms.ListAliasesInput{Marker: aws.String("alias/b")})
	wantInvalidMarker(t, err)
}

func TestListResourceTagsMarkers(t *testing.T) {
	e := start(t)
	var tags []types.Tag
	for i := range 5 {
		tags = append(tags, types.Tag{TagKey: aws.String(fmt.Sprintf("k%d", i)), TagValue: aws.String("v")})
	}
	a := createKey(t, e.East, &kms.CreateKeyInput{Tags: tags})
	b := createKey(t, e.East, &kms.CreateKeyInput{Tags: tags})
	p1 := xtest.Must[*kms.ListResourceTagsOutput](t)(e.East.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: a.KeyId, Limit: aws.Int32(2)}))
	if len(p1.Tags) != 2 || p1.NextMarker == nil {
		t.Fatalf("first page %+v", p1)
	}
	_, err := e.East.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: b.KeyId, Marker: p1.NextMarker})
	wantInvalidMarker(t, err)
	_, err = e.East.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: a.KeyId, Marker: aws.String("k2")})
	wantInvalidMarker(t, err)
	// Tags removed and added between pages: the marker still works.
	xtest.Must[*kms.UntagResourceOutput](t)(e.East.UntagResource(ctx, &kms.UntagResourceInput{KeyId: a.KeyId, TagKeys: []string{"k2", "k3"}}))
	xtest.Must[*kms.TagResourceOutput](t)(e.East.TagResource(ctx, &kms.TagResourceInput{KeyId: a.KeyId, Tags: []types.Tag{{TagKey: aws.String("k9"), TagValue: aws.String("v")}}}))
	p2 := xtest.Must[*kms.ListResourceTagsOutput](t)(e.East.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: a.Arn, Marker: p1.NextMarker}))
	var got []string
	for _, tg := range p2.Tags {
		got = append(got, *tg.TagKey)
	}
	if !slices.Equal(got, []string{"k4", "k9"}) || p2.Truncated {
		t.Errorf("second page %v truncated %v", got, p2.Truncated)
	}
}

func TestListKeyRotationsAndPoliciesMarkers(t *testing.T) {
	e := start(t)
	md := createKey(t, e.East, nil)
	// A version number was once taken as a marker; it was never one we issued.
	for _, m := range []string{"1", "00000001", "zz"} {
		_, err := e.East.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: md.KeyId, Marker: aws.String(m)})
		wantInvalidMarker(t, err)
	}
	// ListKeyPolicies never truncates, so it never issued any marker.
	_, err := e.East.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: md.KeyId, Marker: aws.String("default")})
	wantInvalidMarker(t, err)
	// Nor does it take a marker another list issued.
	createKey(t, e.East, nil)
	keys := xtest.Must[*kms.ListKeysOutput](t)(e.East.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1)}))
	_, err = e.East.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: md.KeyId, Marker: keys.NextMarker})
	wantInvalidMarker(t, err)
}
