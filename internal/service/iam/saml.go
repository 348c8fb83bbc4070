package iam

import (
	"context"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/auth"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// SAML 2.0 identity providers: what AssumeRoleWithSAML checks an assertion's signature
// against. The metadata document is kept as given; the signing certificates are read from
// it when it is stored, so a document without one is refused there, as AWS refuses it.
// Encrypted assertions' private keys and AssertionEncryptionMode: see samlkeys.go.

const kindSAML = "saml-provider" // saml-provider/<name>

// samlProvidersPerAccount is AWS's default quota.
const samlProvidersPerAccount = 100

var samlTable = kit.Table[samlRecord]{Kind: kindSAML}

type samlRecord struct {
	Name         string
	UUID         string
	Metadata     string
	Certificates [][]byte // DER, from the metadata
	Created      time.Time
	ValidUntil   *time.Time `json:",omitempty"`
	Tags         []tag      `json:",omitempty"`
	// EncryptionMode is AssertionEncryptionMode; "" is Allowed.
	EncryptionMode string           `json:",omitempty"`
	PrivateKeys    []samlPrivateKey `json:",omitempty"`
}

func (p *samlRecord) arn(c call) string {
	return arn.New(c.Partition, "iam", "", c.Account, kindSAML+"/"+p.Name)
}

// setMetadata reads a metadata document into the record, with AWS's refusal of one it
// cannot use.
func (p *samlRecord) setMetadata(doc string) error {
	md, err := auth.ParseSAMLMetadata(doc)
	if err != nil {
		return msgSAMLMetadata.New()
	}
	p.Metadata, p.Certificates, p.ValidUntil = doc, md.Certificates, nil
	if !md.ValidUntil.IsZero() {
		p.ValidUntil = &md.ValidUntil
	}
	return nil
}

// SAMLProviderByARN finds a SAML provider, in the account and partition its ARN names, for
// AssumeRoleWithSAML.
func (s *Service) SAMLProviderByARN(tx kit.Tx, providerARN string) (port.SAMLProvider, bool, error) {
	a, err := arn.Parse(providerARN)
	name, ok := strings.CutPrefix(a.Resource, kindSAML+"/")
	if err != nil || !ok || a.Service != "iam" || !auth.IsAccountID(a.Account) {
		return port.SAMLProvider{}, false, nil
	}
	c := accountCall(a.Account, a.Partition)
	p, err := samlTable.Get(c.in(s.Join(tx)), name)
	if err != nil || p == nil {
		return port.SAMLProvider{}, false, err
	}
	out, err := s.provider(c, p)
	return out, err == nil, err
}

func (s *Service) CreateSAMLProvider(ctx context.Context, in *iamapi.CreateSAMLProviderRequest) (*iamapi.CreateSAMLProviderResponse, error) {
	c := s.newCall(ctx)
	p := &samlRecord{Name: deref(in.Name), UUID: ids.UUID(), Created: s.now()}
	if err := p.setMetadata(deref(in.SAMLMetadataDocument)); err != nil {
		return nil, err
	}
	if err := s.setEncryption(c.Account, p, in.AssertionEncryptionMode, in.AddPrivateKey, nil); err != nil {
		return nil, err
	}
	var err error
	if p.Tags, err = requestTags(in.Tags); err != nil {
		return nil, err
	}
	err = s.Update(func(tx kit.Tx) error {
		if samlTable.Has(c.in(tx), p.Name) {
			return msgSAMLExists.New(p.Name)
		}
		if err := roomFor(samlTable, c.in(tx), samlProvidersPerAccount, quotaSAMLProvidersPerAccount); err != nil {
			return err
		}
		return samlTable.Put(c.in(tx), p, p.Name)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateSAMLProviderResponse{SAMLProviderArn: ptr(p.arn(c)), Tags: apiTags(p.Tags)}, nil
}

func loadSAML(tx kit.Tx, c call, providerARN string) (string, *samlRecord, error) {
	name, err := providerID(c, providerARN, kindSAML, msgNoSuchSAML)
	if err != nil {
		return "", nil, err
	}
	p, err := samlTable.Get(c.in(tx), name)
	if err != nil {
		return "", nil, err
	}
	if p == nil {
		return "", nil, msgNoSuchSAML.New(providerARN)
	}
	return name, p, nil
}

func (s *Service) GetSAMLProvider(ctx context.Context, in *iamapi.GetSAMLProviderRequest) (*iamapi.GetSAMLProviderResponse, error) {
	c := s.newCall(ctx)
	var out *iamapi.GetSAMLProviderResponse
	err := s.View(func(tx kit.Tx) error {
		_, p, err := loadSAML(tx, c, deref(in.SAMLProviderArn))
		if err != nil {
			return err
		}
		out = &iamapi.GetSAMLProviderResponse{
			SAMLProviderUUID: ptr(p.UUID), SAMLMetadataDocument: ptr(p.Metadata), CreateDate: ptr(p.Created),
			ValidUntil: p.ValidUntil, Tags: apiTags(p.Tags), AssertionEncryptionMode: ptr(p.encryptionMode()),
			PrivateKeyList: p.apiPrivateKeys(),
		}
		return nil
	})
	return out, err
}

func (s *Service) ListSAMLProviders(ctx context.Context, _ *iamapi.ListSAMLProvidersRequest) (*iamapi.ListSAMLProvidersResponse, error) {
	c := s.newCall(ctx)
	out := &iamapi.ListSAMLProvidersResponse{SAMLProviderList: []iamapi.SAMLProviderListEntry{}}
	err := s.View(func(tx kit.Tx) error {
		return samlTable.Scan(c.in(tx), func(p *samlRecord) bool {
			out.SAMLProviderList = append(out.SAMLProviderList, iamapi.SAMLProviderListEntry{
				Arn: ptr(p.arn(c)), CreateDate: ptr(p.Created), ValidUntil: p.ValidUntil,
			})
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateSAMLProvider replaces the metadata document, and with it the signing
// certificates AssumeRoleWithSAML trusts, and changes the encryption settings and keys.
// A request that changes nothing is refused.
func (s *Service) UpdateSAMLProvider(ctx context.Context, in *iamapi.UpdateSAMLProviderRequest) (*iamapi.UpdateSAMLProviderResponse, error) {
	c := s.newCall(ctx)
	if in.SAMLMetadataDocument == nil && in.AssertionEncryptionMode == nil && in.AddPrivateKey == nil && in.RemovePrivateKey == nil {
		return nil, msgSAMLNothingToUpdate.New()
	}
	var out *iamapi.UpdateSAMLProviderResponse
	err := s.Update(func(tx kit.Tx) error {
		name, p, err := loadSAML(tx, c, deref(in.SAMLProviderArn))
		if err != nil {
			return err
		}
		if in.SAMLMetadataDocument != nil {
			if err := p.setMetadata(*in.SAMLMetadataDocument); err != nil {
				return err
			}
		}
		if err := s.setEncryption(c.Account, p, in.AssertionEncryptionMode, in.AddPrivateKey, in.RemovePrivateKey); err != nil {
			return err
		}
		out = &iamapi.UpdateSAMLProviderResponse{SAMLProviderArn: ptr(p.arn(c))}
		return samlTable.Put(c.in(tx), p, name)
	})
	return out, err
}

// DeleteSAMLProvider refuses a provider that does not exist, as AWS does (unlike OIDC
// providers, whose deletion is idempotent).
func (s *Service) DeleteSAMLProvider(ctx context.Context, in *iamapi.DeleteSAMLProviderRequest) (*awsmodel.Empty, error) {
	c := s.newCall(ctx)
	return nil, s.Update(func(tx kit.Tx) error {
		name, _, err := loadSAML(tx, c, deref(in.SAMLProviderArn))
		if err != nil {
			return err
		}
		return samlTable.Delete(c.in(tx), name)
	})
}
