package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/xregion/xregion/internal/xtest"
)

const thumb = "6938FD4D98BAB03FAADB97B34396831E3780AEA1"

func createProvider(t *testing.T, c *iamsdk.Client, url string, clientIDs ...string) string {
	t.Helper()
	out, err := c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{
		Url: aws.String(url), ClientIDList: clientIDs, ThumbprintList: []string{thumb},
	})
	if err != nil {
		t.Fatalf("CreateOpenIDConnectProvider %s: %v", url, err)
	}
	return *out.OpenIDConnectProviderArn
}

func TestOpenIDConnectProviderLifecycle(t *testing.T) {
	_, c := newIAM(t)
	out, err := c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"},
		ThumbprintList: []string{thumb}, Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("ci")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := *out.OpenIDConnectProviderArn
	if arn != "arn:aws:iam::"+xtest.Account+":oidc-provider/token.actions.githubusercontent.com" || len(out.Tags) != 1 {
		t.Errorf("create: %s %v", arn, out.Tags)
	}
	get, err := c.GetOpenIDConnectProvider(ctx, &iamsdk.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if *get.Url != "token.actions.githubusercontent.com" || get.ClientIDList[0] != "sts.amazonaws.com" ||
		get.ThumbprintList[0] != strings.ToLower(thumb) || get.CreateDate == nil || len(get.Tags) != 1 {
		t.Errorf("get: %+v", get)
	}

	mustOK(t, err2(c.AddClientIDToOpenIDConnectProvider(ctx, &iamsdk.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn, ClientID: aws.String("other")})))
	mustOK(t, err2(c.AddClientIDToOpenIDConnectProvider(ctx, &iamsdk.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn, ClientID: aws.String("other")})))
	mustOK(t, err2(c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iamsdk.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn, ClientID: aws.String("sts.amazonaws.com")})))
	mustOK(t, err2(c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iamsdk.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn, ClientID: aws.String("never-added")})))
	other := strings.Repeat("b", 40)
	mustOK(t, err2(c.UpdateOpenIDConnectProviderThumbprint(ctx, &iamsdk.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: &arn, ThumbprintList: []string{other}})))
	mustOK(t, err2(c.TagOpenIDConnectProvider(ctx, &iamsdk.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn, Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})))
	mustOK(t, err2(c.UntagOpenIDConnectProvider(ctx, &iamsdk.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn, TagKeys: []string{"TEAM"}})))
	get, err = c.GetOpenIDConnectProvider(ctx, &iamsdk.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(get.ClientIDList) != 1 || get.ClientIDList[0] != "other" || get.ThumbprintList[0] != other {
		t.Errorf("after updates: %v %v", get.ClientIDList, get.ThumbprintList)
	}
	tags, err := c.ListOpenIDConnectProviderTags(ctx, &iamsdk.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: &arn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "env" {
		t.Errorf("tags: %v %v", tags, err)
	}

	second := createProvider(t, c, "https://oidc.eks.us-east-1.amazonaws.com/id/ABC123")
	list, err := c.ListOpenIDConnectProviders(ctx, &iamsdk.ListOpenIDConnectProvidersInput{})
	if err != nil || len(list.OpenIDConnectProviderList) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	mustOK(t, err2(c.DeleteOpenIDConnectProvider(ctx, &iamsdk.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: &second})))
	mustOK(t, err2(c.DeleteOpenIDConnectProvider(ctx, &iamsdk.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: &second})))
	_, err = c.GetOpenIDConnectProvider(ctx, &iamsdk.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: &second})
	wantError(t, err, "NoSuchEntity", 404, "OpenIDConnect Provider not found for arn "+second)
}

func err2[T any](_ T, err error) error { return err }

func TestOpenIDConnectProviderErrors(t *testing.T) {
	_, c := newIAM(t)
	create := func(url string, thumbprints []string, clientIDs ...string) error {
		_, err := c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String(url), ThumbprintList: thumbprints, ClientIDList: clientIDs})
		return err
	}
	for _, bad := range []struct{ url, code, msg string }{
		{"example.com", "ValidationError", "Invalid Open ID Connect Provider URL"},
		{"http://example.com", "InvalidInput", "The URL must begin with https://."},
		{"https://", "ValidationError", "Invalid Open ID Connect Provider URL"},
		{"https://user:pw@example.com", "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"https://example.com?x=1", "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"https://example.com#f", "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"https://example.com:8443", "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"https://exa_mple.com", "InvalidInput", "Invalid Open ID Connect Provider URL."},
	} {
		wantError(t, create(bad.url, nil), bad.code, 400, bad.msg)
	}
	six := []string{thumb, thumb, thumb, thumb, thumb, thumb}
	wantError(t, create("https://a.example.com", six), "InvalidInput", 400, "Thumbprint list must contain fewer than 5 entries.")
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprint("client-", i)
	}
	wantError(t, create("https://a.example.com", nil, many...), "LimitExceeded", 409, "ClientIdsPerOpenIdConnectProvider: 100")

	mustOK(t, create("https://a.example.com", nil))
	wantError(t, create("https://a.example.com", nil), "EntityAlreadyExists", 409, "Provider with url https://a.example.com already exists.")
	mustOK(t, create("https://a.example.com/", nil)) // a trailing slash is another provider

	missing := "arn:aws:iam::" + xtest.Account + ":oidc-provider/nobody.example.com"
	_, err := c.AddClientIDToOpenIDConnectProvider(ctx, &iamsdk.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: &missing, ClientID: aws.String("x")})
	wantError(t, err, "NoSuchEntity", 404, "not found for arn")
	_, err = c.GetOpenIDConnectProvider(ctx, &iamsdk.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("arn:aws:iam::123456789012:role/not-a-provider")})
	wantError(t, err, "InvalidInput", 400, "is not valid")
}
