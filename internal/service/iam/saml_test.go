package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestSAMLProviderLifecycle(t *testing.T) {
	_, c := newIAM(t)
	idp := xtest.NewSAMLIdP(t, "https://idp.example.com")
	out, err := c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{
		Name: aws.String("corp"), SAMLMetadataDocument: aws.String(idp.Metadata()),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("sso")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.SAMLProviderArn)
	if arn != "arn:aws:iam::"+xtest.Account+":saml-provider/corp" || len(out.Tags) != 1 {
		t.Errorf("create: %s %v", arn, out.Tags)
	}
	_, err = c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(idp.Metadata())})
	wantError(t, err, "EntityAlreadyExists", 409, "corp")

	got, err := c.GetSAMLProvider(ctx, &iamsdk.GetSAMLProviderInput{SAMLProviderArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.SAMLMetadataDocument) != idp.Metadata() || got.CreateDate == nil || aws.ToString(got.SAMLProviderUUID) == "" || len(got.Tags) != 1 {
		t.Errorf("get: %+v", got)
	}
	list, err := c.ListSAMLProviders(ctx, &iamsdk.ListSAMLProvidersInput{})
	if err != nil || len(list.SAMLProviderList) != 1 || aws.ToString(list.SAMLProviderList[0].Arn) != arn {
		t.Errorf("list: %+v, %v", list, err)
	}

	// A new key: the metadata is replaced.
	next := xtest.NewSAMLIdP(t, "https://idp.example.com")
	up, err := c.UpdateSAMLProvider(ctx, &iamsdk.UpdateSAMLProviderInput{SAMLProviderArn: &arn, SAMLMetadataDocument: aws.String(next.Metadata())})
	if err != nil || aws.ToString(up.SAMLProviderArn) != arn {
		t.Fatalf("update: %v, %v", up, err)
	}
	got, _ = c.GetSAMLProvider(ctx, &iamsdk.GetSAMLProviderInput{SAMLProviderArn: &arn})
	if aws.ToString(got.SAMLMetadataDocument) != next.Metadata() {
		t.Errorf("metadata after update is the old one")
	}

	mustOK(t, func() error {
		_, err := c.DeleteSAMLProvider(ctx, &iamsdk.DeleteSAMLProviderInput{SAMLProviderArn: &arn})
		return err
	}())
	_, err = c.GetSAMLProvider(ctx, &iamsdk.GetSAMLProviderInput{SAMLProviderArn: &arn})
	wantError(t, err, "NoSuchEntity", 404, "Manifest not found for arn "+arn)
	_, err = c.DeleteSAMLProvider(ctx, &iamsdk.DeleteSAMLProviderInput{SAMLProviderArn: &arn})
	wantError(t, err, "NoSuchEntity", 404, "Manifest not found for arn "+arn)
}

func TestSAMLProviderRefusesUnusableMetadata(t *testing.T) {
	_, c := newIAM(t)
	noKey := `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com">` +
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` + strings.Repeat(" ", 1000) +
		`</md:IDPSSODescriptor></md:EntityDescriptor>`
	for name, doc := range map[string]string{"no signing certificate": noKey, "not XML": strings.Repeat("x", 1000)} {
		t.Run(name, func(t *testing.T) {
			_, err := c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(doc)})
			wantError(t, err, "InvalidInput", 400, "Could not parse metadata")
		})
	}
	_, err := c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String("<short/>")})
	wantError(t, err, "ValidationError", 400, "at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length greater than or equal to 1000")
	_, err = c.GetSAMLProvider(ctx, &iamsdk.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::" + xtest.Account + ":role/corp")})
	wantError(t, err, "InvalidInput", 400, "is not valid")
}
